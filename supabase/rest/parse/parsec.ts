// In charge of a tiny Parsec-compatible parser-combinator core, so that the query-string grammars fail at the same positions, with the same messages, as PostgREST's Haskell parsers.

/** Kinds of error message, ordered as Parsec orders them when rendering. */
export const SYS_UNEXPECT = 0;
export const UNEXPECT = 1;
export const EXPECT = 2;
export const MESSAGE = 3;
type MessageKind = typeof SYS_UNEXPECT | typeof UNEXPECT | typeof EXPECT | typeof MESSAGE;

interface Message {
  readonly kind: MessageKind;
  readonly text: string;
}

export interface Pos {
  readonly line: number;
  readonly column: number;
}

export interface ParseError {
  readonly pos: Pos;
  readonly messages: readonly Message[];
}

export interface State {
  /** The input as code points, so columns count characters, not UTF-16 units. */
  readonly input: readonly string[];
  readonly index: number;
  readonly pos: Pos;
}

export type Reply<T> =
  | { readonly ok: true; readonly consumed: boolean; readonly value: T; readonly state: State; readonly error: ParseError }
  | { readonly ok: false; readonly consumed: boolean; readonly error: ParseError };

export type Parser<T> = (s: State) => Reply<T>;

// ---------------------------------------------------------------------------
// errors

const unknownError = (s: State): ParseError => ({ pos: s.pos, messages: [] });

const newError = (pos: Pos, kind: MessageKind, text: string): ParseError => ({ pos, messages: [{ kind, text }] });

const comparePos = (a: Pos, b: Pos): number => (a.line !== b.line ? a.line - b.line : a.column - b.column);

function mergeError(e1: ParseError, e2: ParseError): ParseError {
  if (e2.messages.length === 0 && e1.messages.length > 0) return e1;
  if (e1.messages.length === 0 && e2.messages.length > 0) return e2;
  const c = comparePos(e1.pos, e2.pos);
  if (c === 0) return { pos: e1.pos, messages: [...e1.messages, ...e2.messages] };
  return c > 0 ? e1 : e2;
}

/** Merges a previous error into a later one unless the previous one carries no messages (Parsec's bind). */
const mergeKnown = (prev: ParseError, next: ParseError): ParseError =>
  prev.messages.length === 0 ? next : mergeError(prev, next);

function setExpect(err: ParseError, label: string): ParseError {
  return { pos: err.pos, messages: [{ kind: EXPECT, text: label }, ...err.messages.filter((m) => m.kind !== EXPECT)] };
}

// ---------------------------------------------------------------------------
// Haskell `show`, which Parsec uses to quote tokens in messages

const ASCII_NAMES = [
  'NUL', 'SOH', 'STX', 'ETX', 'EOT', 'ENQ', 'ACK', 'a', 'b', 't', 'n', 'v', 'f', 'r', 'SO', 'SI',
  'DLE', 'DC1', 'DC2', 'DC3', 'DC4', 'NAK', 'SYN', 'ETB', 'CAN', 'EM', 'SUB', 'ESC', 'FS', 'GS', 'RS', 'US',
];

function showLitChar(c: string, quote: string, next: string | undefined): string {
  const code = c.codePointAt(0) ?? 0;
  if (c === '\\') return '\\\\';
  if (c === quote) return `\\${quote}`;
  if (code >= 0x20 && code < 0x7f) return c;
  if (code === 0x7f) return '\\DEL';
  if (code < 0x20) {
    const name = `\\${ASCII_NAMES[code] ?? ''}`;
    return name === '\\SO' && next === 'H' ? '\\SO\\&' : name;
  }
  const escaped = `\\${code}`;
  return next !== undefined && /[0-9]/.test(next) ? `${escaped}\\&` : escaped;
}

/** `show` of a Haskell Char: `'x'`. */
export function showChar(c: string): string {
  return `'${showLitChar(c, "'", undefined)}'`;
}

/** `show` of a Haskell String: `"xy"`. */
export function showString(s: string): string {
  const cps = Array.from(s);
  return `"${cps.map((c, i) => showLitChar(c, '"', cps[i + 1])).join('')}"`;
}

// ---------------------------------------------------------------------------
// running

export function initialState(text: string): State {
  return { input: Array.from(text), index: 0, pos: { line: 1, column: 1 } };
}

function advance(pos: Pos, c: string): Pos {
  if (c === '\n') return { line: pos.line + 1, column: 1 };
  if (c === '\t') return { line: pos.line, column: pos.column + 8 - ((pos.column - 1) % 8) };
  return { line: pos.line, column: pos.column + 1 };
}

/** Parsec's `showErrorMessages "or" "unknown parse error" "expecting" "unexpected" "end of input"`, with newlines turned into spaces and trimmed, as PostgREST does. */
export function renderMessages(messages: readonly Message[]): string {
  if (messages.length === 0) return 'unknown parse error';
  const sorted = [...messages].sort((a, b) => a.kind - b.kind); // stable, by kind only
  const of = (k: MessageKind): Message[] => sorted.filter((m) => m.kind === k);
  const sysUnexpect = of(SYS_UNEXPECT);
  const unexpect = of(UNEXPECT);
  const expect = of(EXPECT);
  const other = of(MESSAGE);
  const clean = (xs: string[]): string[] => [...new Set(xs.filter((x) => x !== ''))];
  const commasOr = (ms: string[]): string => {
    if (ms.length === 0) return '';
    if (ms.length === 1) return ms[0] ?? '';
    return `${clean(ms.slice(0, -1)).join(', ')} or ${ms[ms.length - 1] ?? ''}`;
  };
  const showMany = (pre: string, ms: Message[]): string => {
    const texts = clean(ms.map((m) => m.text));
    if (texts.length === 0) return '';
    return pre === '' ? commasOr(texts) : `${pre} ${commasOr(texts)}`;
  };
  let showSys = '';
  if (unexpect.length === 0 && sysUnexpect.length > 0) {
    const first = sysUnexpect[0]?.text ?? '';
    showSys = first === '' ? 'unexpected end of input' : `unexpected ${first}`;
  }
  const parts = clean([showSys, showMany('unexpected', unexpect), showMany('expecting', expect), showMany('', other)]);
  return parts.join(' ').trim();
}

export interface ParseFailure {
  /** `"<name>" (line L, column C)`, the way PostgREST shows a Parsec position. */
  readonly message: string;
  readonly details: string;
}

/** Runs a parser over the whole text (no implicit end-of-input check, as with `P.parse`). */
export function runParser<T>(p: Parser<T>, name: string, text: string): { ok: true; value: T } | { ok: false; failure: ParseFailure } {
  const r = p(initialState(text));
  if (r.ok) return { ok: true, value: r.value };
  const where = `(line ${r.error.pos.line}, column ${r.error.pos.column})`;
  return {
    ok: false,
    failure: { message: name === '' ? where : `"${name}" ${where}`, details: renderMessages(r.error.messages) },
  };
}

// ---------------------------------------------------------------------------
// primitive combinators

export const pure = <T>(value: T): Parser<T> => (s) => ({ ok: true, consumed: false, value, state: s, error: unknownError(s) });

/** `mzero` / `guard False`: fails without consuming and without a message. */
export const zero = <T>(): Parser<T> => (s) => ({ ok: false, consumed: false, error: unknownError(s) });

/** `fail msg` */
export const failWith = <T>(text: string): Parser<T> => (s) => ({ ok: false, consumed: false, error: newError(s.pos, MESSAGE, text) });

/** `unexpected msg` */
export const unexpected = <T>(text: string): Parser<T> => (s) => ({ ok: false, consumed: false, error: newError(s.pos, UNEXPECT, text) });

export function bind<A, B>(p: Parser<A>, f: (a: A) => Parser<B>): Parser<B> {
  return (s) => {
    const r = p(s);
    if (!r.ok) return r;
    const r2 = f(r.value)(r.state);
    if (r2.consumed) return r2;
    const error = mergeKnown(r.error, r2.error);
    return r2.ok
      ? { ok: true, consumed: r.consumed, value: r2.value, state: r2.state, error }
      : { ok: false, consumed: r.consumed, error };
  };
}

export const map = <A, B>(p: Parser<A>, f: (a: A) => B): Parser<B> => bind(p, (a) => pure(f(a)));

/** `p *> q` */
export const then = <A, B>(p: Parser<A>, q: Parser<B>): Parser<B> => bind(p, () => q);

/** `p <* q` */
export const skip = <A, B>(p: Parser<A>, q: Parser<B>): Parser<A> => bind(p, (a) => map(q, () => a));

/** `p $> v` */
export const as = <A, B>(p: Parser<A>, v: B): Parser<B> => map(p, () => v);

/** Runs parsers in sequence and collects their results. */
export function seq<T extends unknown[]>(...ps: { [K in keyof T]: Parser<T[K]> }): Parser<T> {
  const go = (i: number, acc: unknown[]): Parser<unknown[]> => {
    const p = ps[i] as Parser<unknown> | undefined;
    if (p === undefined) return pure(acc);
    return bind(p, (v) => go(i + 1, [...acc, v]));
  };
  return go(0, []) as Parser<T>;
}

/** `p1 <|> p2 <|> ...`: the next alternative runs only when the previous failed without consuming input. */
export function alt<T>(...ps: Parser<T>[]): Parser<T> {
  return (s) => {
    let acc: ParseError | undefined;
    for (const p of ps) {
      const r = p(s);
      if (r.consumed) return r;
      const error = acc === undefined ? r.error : mergeError(acc, r.error);
      if (r.ok) return { ...r, error };
      acc = error;
    }
    return { ok: false, consumed: false, error: acc ?? unknownError(s) };
  };
}

/** `p <?> label` */
export function label<T>(p: Parser<T>, text: string): Parser<T> {
  return (s) => {
    const r = p(s);
    if (r.consumed) return r;
    if (!r.ok) return { ok: false, consumed: false, error: setExpect(r.error, text) };
    return r.error.messages.length === 0 ? r : { ...r, error: setExpect(r.error, text) };
  };
}

/** `try p`: a consumed failure becomes an empty one. */
export const attempt = <T>(p: Parser<T>): Parser<T> => (s) => {
  const r = p(s);
  return !r.ok && r.consumed ? { ok: false, consumed: false, error: r.error } : r;
};

/** `lookAhead p`: succeeds without consuming; failures pass through unchanged. */
export const lookAhead = <T>(p: Parser<T>): Parser<T> => (s) => {
  const r = p(s);
  return r.ok ? { ok: true, consumed: false, value: r.value, state: s, error: unknownError(s) } : r;
};

export function satisfy(pred: (c: string) => boolean): Parser<string> {
  return (s) => {
    const c = s.input[s.index];
    if (c === undefined) return { ok: false, consumed: false, error: newError(s.pos, SYS_UNEXPECT, '') };
    if (!pred(c)) return { ok: false, consumed: false, error: newError(s.pos, SYS_UNEXPECT, showString(c)) };
    const pos = advance(s.pos, c);
    const state: State = { input: s.input, index: s.index + 1, pos };
    return { ok: true, consumed: true, value: c, state, error: { pos, messages: [] } };
  };
}

/** `anyToken`: consumes one character without moving the position (as Parsec does). */
const anyToken: Parser<string> = (s) => {
  const c = s.input[s.index];
  if (c === undefined) return { ok: false, consumed: false, error: newError(s.pos, SYS_UNEXPECT, '') };
  const state: State = { input: s.input, index: s.index + 1, pos: s.pos };
  return { ok: true, consumed: true, value: c, state, error: unknownError(state) };
};

/** `string s`, with Parsec's messages: the whole expected string, the first mismatching character, at the start position. */
export function string(expected: string): Parser<string> {
  const want = Array.from(expected);
  return (s) => {
    const fail = (consumed: boolean, got: string | undefined): Reply<string> => {
      const sys = got === undefined ? '' : showString(got);
      return { ok: false, consumed, error: setExpect(newError(s.pos, SYS_UNEXPECT, sys), showString(expected)) };
    };
    let pos = s.pos;
    for (let i = 0; i < want.length; i++) {
      const c = s.input[s.index + i];
      if (c === undefined || c !== want[i]) return fail(i > 0, c);
      pos = advance(pos, c);
    }
    if (want.length === 0) return pure(expected)(s);
    const state: State = { input: s.input, index: s.index + want.length, pos };
    return { ok: true, consumed: true, value: expected, state, error: unknownError(state) };
  };
}

export const char = (c: string): Parser<string> => label(satisfy((x) => x === c), showString(c));
export const anyChar: Parser<string> = satisfy(() => true);
export const oneOf = (cs: string): Parser<string> => satisfy((c) => cs.includes(c));
export const noneOf = (cs: string): Parser<string> => satisfy((c) => !cs.includes(c));
export const letter: Parser<string> = label(satisfy((c) => /^\p{L}$/u.test(c)), 'letter');
export const digit: Parser<string> = label(satisfy((c) => c >= '0' && c <= '9'), 'digit');

/** `many p`; a parser that succeeds without consuming stops the loop instead of looping forever. */
export function many<T>(p: Parser<T>): Parser<T[]> {
  return (s) => {
    const values: T[] = [];
    let state = s;
    let consumed = false;
    for (;;) {
      const r = p(state);
      if (!r.ok) {
        if (r.consumed) return r;
        return { ok: true, consumed, value: values, state, error: r.error };
      }
      if (!r.consumed) return { ok: true, consumed, value: values, state, error: r.error };
      values.push(r.value);
      state = r.state;
      consumed = true;
    }
  };
}

export const many1 = <T>(p: Parser<T>): Parser<T[]> => bind(p, (x) => map(many(p), (xs) => [x, ...xs]));

export const sepBy1 = <T, S>(p: Parser<T>, sep: Parser<S>): Parser<T[]> =>
  bind(p, (x) => map(many(then(sep, p)), (xs) => [x, ...xs]));

export const sepBy = <T, S>(p: Parser<T>, sep: Parser<S>): Parser<T[]> => alt(sepBy1(p, sep), pure<T[]>([]));

export const option = <T>(fallback: T, p: Parser<T>): Parser<T> => alt(p, pure(fallback));

export const optionMaybe = <T>(p: Parser<T>): Parser<T | null> => option<T | null>(null, p);

export const between = <O, C, T>(open: Parser<O>, close: Parser<C>, p: Parser<T>): Parser<T> => skip(then(open, p), close);

/** `notFollowedBy p`, built from the same pieces as Parsec's so its error reads `unexpected 'x'`. */
export const notFollowedBy = (p: Parser<string>): Parser<null> =>
  attempt(alt(bind(attempt(p), (c) => unexpected<null>(showChar(c))), pure(null)));

/** `eof` */
export const eof: Parser<null> = label(notFollowedBy(anyToken), 'end of input');

/** Defers building a parser, for recursive grammars. */
export const lazy = <T>(make: () => Parser<T>): Parser<T> => {
  let cached: Parser<T> | undefined;
  return (s) => (cached ??= make())(s);
};

/**
 * Limits how deeply a recursive parser may nest. PostgREST has no such limit; we keep one so that an adversarial
 * query string cannot exhaust the JavaScript stack. The failure is an ordinary parse error.
 */
export function nestingLimited<T>(limit: number, p: Parser<T>): Parser<T> {
  let depth = 0;
  return (s) => {
    if (depth >= limit) return failWith<T>(`nesting deeper than ${limit} levels`)(s);
    depth++;
    try {
      return p(s);
    } finally {
      depth--;
    }
  };
}
