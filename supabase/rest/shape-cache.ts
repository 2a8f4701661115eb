/**
 * Remembers, per request shape, what parse → plan → sql made of a request on a table or view, so a request
 * that differs from an earlier one only in its filter values (`/items?id=eq.1`, `/items?id=eq.2`) or in the
 * values of its JSON body skips those three stages: its values are dropped into the statements already
 * built. A shape is the method, path, every query parameter with the values of plain filters
 * (`col=[not.]op.value` whose value reaches SQL as one bind parameter) left out, the headers the parse stage
 * reads, the role, and for a JSON body its keys (the body itself is one bind parameter).
 *
 * A template is made by running the pipeline once more on the same shape with a marker in place of each
 * filter value and finding where each marker lands among the statement's parameters; shapes where a marker
 * is not one whole parameter, or where the real request's statements differ from the instantiated
 * template, are remembered as not cacheable. Everything is dropped when the schema cache changes.
 */
import { randomBytes } from 'node:crypto';
import type { Statement } from './execute.ts';
import type { ApiRequest } from './parse/types.ts';
import { urlDecode } from './parse/query-string.ts';

/** The headers the parse stage reads; any other header never changes a plan. */
const SHAPE_HEADERS = ['accept', 'prefer', 'range', 'range-unit', 'accept-profile', 'content-profile', 'content-type'] as const;

/** Operators whose value the SQL stage binds as one parameter, verbatim (`like`/`ilike` with `*` read as `%`). */
const PLAIN_FILTER = /^(not\.)?(eq|neq|gt|gte|lt|lte|like|ilike|match|imatch|isdistinct|cs|cd|ov|sl|sr|nxr|nxl|adj)\.(.*)$/s;
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Query parameters that are never filters. */
const NOT_FILTERS = new Set(['select', 'columns', 'on_conflict', 'order', 'limit', 'offset', 'and', 'or']);

const utf8 = new TextEncoder();

export interface Shape {
  readonly key: string;
  /** The JSON body's text, or null when the request has none. */
  readonly body: string | null;
  /** A body of the same shape whose every value is `marker`. */
  bodyWithMarker(marker: string): string | null;
  /** The decoded value of each plain filter, in query order. */
  readonly values: readonly string[];
  /** The operator of each plain filter (for `*` → `%`). */
  readonly operators: readonly string[];
  /** The query string rebuilt with `marker(i)` for value i. */
  withMarkers(marker: (i: number) => string): string;
}

interface HeaderSource {
  get(name: string): string | null;
}

const PLAIN_JSON = /^application\/json(\s*;\s*charset=utf-8)?$/i;

/** The keys of a JSON body PostgREST reads as rows: an object, or a non-empty array of objects sharing the first one's keys. */
function bodyKeys(text: string): { array: boolean; keys: string[] } | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(value)) return { array: false, keys: Object.keys(value) };
  if (!Array.isArray(value) || value.length === 0 || !isObject(value[0])) return null;
  const keys = Object.keys(value[0]);
  for (const row of value) {
    if (!isObject(row)) return null;
    const own = Object.keys(row);
    if (own.length !== keys.length || own.some((k) => !Object.hasOwn(value[0] as object, k))) return null;
  }
  return { array: true, keys };
}

/**
 * The shape of a request on a table or view: GET and HEAD, or POST, PATCH and DELETE with no body or a JSON
 * one. Null for anything else (functions, PUT — whose body must match its filters —, CSV and form bodies).
 */
export function requestShape(method: string, subpath: string, search: string, headers: HeaderSource, role: string, body: string | null): Shape | null {
  if (subpath.startsWith('/rpc/')) return null;
  let shapeOfBody = '';
  let keys: { array: boolean; keys: string[] } | null = null;
  if (method === 'POST' || method === 'PATCH' || method === 'DELETE') {
    if (body !== null && body !== '') {
      const type = headers.get('content-type');
      if (type !== null && !PLAIN_JSON.test(type)) return null;
      keys = bodyKeys(body);
      if (keys === null) return null;
      shapeOfBody = (keys.array ? '[' : '{') + JSON.stringify(keys.keys);
    }
  } else if (method !== 'GET' && method !== 'HEAD') {
    return null;
  }
  const query = search.startsWith('?') ? search.slice(1) : search;
  const keyParts: string[] = [];
  const rebuilt: Array<string | { prefix: string; slot: number }> = [];
  const values: string[] = [];
  const operators: string[] = [];
  if (query !== '') {
    for (const part of query.split(/[&;]/)) {
      const eq = part.indexOf('=');
      const name = eq === -1 ? part : part.slice(0, eq);
      const m = eq !== -1 && PLAIN_KEY.test(name) && !NOT_FILTERS.has(name) ? PLAIN_FILTER.exec(part.slice(eq + 1)) : null;
      if (!m) {
        keyParts.push(part);
        rebuilt.push(part);
        continue;
      }
      const prefix = `${name}=${m[1] ?? ''}${m[2]}.`;
      keyParts.push(prefix + '\u0000');
      rebuilt.push({ prefix, slot: values.length });
      values.push(urlDecode(utf8.encode(m[3]!), true));
      operators.push(m[2]!);
    }
  }
  let key = `${method} ${subpath}?${keyParts.join('&')}\n${role}\n${shapeOfBody}`;
  for (const h of SHAPE_HEADERS) key += '\n' + (headers.get(h) ?? '\u0000');
  return {
    key,
    body: keys === null ? null : body,
    bodyWithMarker(marker) {
      if (keys === null) return null;
      const row = JSON.stringify(Object.fromEntries(keys.keys.map((k) => [k, marker])));
      return keys.array ? `[${row}]` : row;
    },
    values,
    operators,
    withMarkers(marker) {
      return '?' + rebuilt.map((p) => (typeof p === 'string' ? p : p.prefix + encodeURIComponent(marker(p.slot)))).join('&');
    },
  };
}

/** Where a statement parameter comes from: a filter value (by index), the body, or a constant of the plan. */
type Source = { slot: number } | { body: true } | { constant: unknown };

interface StatementTemplate {
  text: string;
  sources: Source[];
}

export interface Template<Plan> {
  /** The request as parsed with markers: everything but filter values, body, headers and cookies is the real one's. */
  readonly request: ApiRequest;
  /** What the response stage needs besides the request (a write's plan); it never depends on values. */
  readonly plan: Plan;
  readonly statements: readonly StatementTemplate[];
}

/** The value a filter's text becomes as a parameter. */
const asParameter = (value: string, operator: string): string => (operator === 'like' || operator === 'ilike' ? value.replaceAll('*', '%') : value);

export function instantiate<Plan>(template: Template<Plan>, shape: Shape): Statement[] {
  return template.statements.map((st) => ({
    text: st.text,
    values: st.sources.map((s) => ('slot' in s ? asParameter(shape.values[s.slot]!, shape.operators[s.slot]!) : 'body' in s ? shape.body : s.constant)),
  }));
}

/** What the pipeline built for a request with the given query string and body; null when it failed. */
export type BuildStatements<Plan> = (search: string, body: string | null) => { request: ApiRequest; plan: Plan; statements: Statement[] } | null;

/**
 * A template for `shape`, or null when the shape cannot be one: built from the pipeline run on marker values,
 * and accepted only if it reproduces `real` (the statements the pipeline made for the actual request).
 */
export function makeTemplate<Plan>(shape: Shape, build: BuildStatements<Plan>, real: readonly Statement[]): Template<Plan> | null {
  const tag = randomBytes(6).toString('hex');
  const marker = (i: number) => `cvslot${tag}n${i}x`;
  const bodyMarker = shape.bodyWithMarker(`cvbody${tag}`);
  const built = build(shape.withMarkers(marker), bodyMarker);
  if (!built) return null;
  let bodyUsed = bodyMarker === null;
  const slots = new Map<string, number>();
  for (let i = 0; i < shape.values.length; i++) slots.set(asParameter(marker(i), shape.operators[i]!), i);
  const used = new Set<number>();
  const statements: StatementTemplate[] = [];
  for (const st of built.statements) {
    if (st.text.includes(tag)) return null;
    const sources: Source[] = [];
    for (const v of st.values) {
      const slot = typeof v === 'string' ? slots.get(v) : undefined;
      if (bodyMarker !== null && v === bodyMarker) {
        bodyUsed = true;
        sources.push({ body: true });
      } else if (slot !== undefined) {
        // A value may be bound more than once (a count or an estimate repeats the WHERE clause).
        used.add(slot);
        sources.push({ slot });
      } else if (typeof v === 'string' && v.includes(tag)) {
        return null;
      } else {
        sources.push({ constant: v });
      }
    }
    statements.push({ text: st.text, sources });
  }
  // A value the statements do not carry is not understood: leave such shapes to the full pipeline.
  if (!bodyUsed || used.size !== shape.values.length) return null;
  const template: Template<Plan> = { request: built.request, plan: built.plan, statements };
  return sameStatements(instantiate(template, shape), real) ? template : null;
}

function sameStatements(a: readonly Statement[], b: readonly Statement[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.text !== b[i]!.text || a[i]!.values.length !== b[i]!.values.length) return false;
    for (let j = 0; j < a[i]!.values.length; j++) if (JSON.stringify(a[i]!.values[j]) !== JSON.stringify(b[i]!.values[j])) return false;
  }
  return true;
}

/**
 * Templates by shape key, bounded; a shape is templated the second time it is seen, so one-off requests
 * (values outside plain filters make every key different) do not pay for a template.
 */
export class ShapeCache<Plan> {
  private readonly entries = new Map<string, Template<Plan> | 'seen' | 'uncacheable'>();
  private owner: object | null = null;

  constructor(private readonly capacity = 2000) {}

  /** The cached template, 'build' when the caller should make one, or null. `schema` is the current schema cache. */
  lookup(key: string, schema: object): Template<Plan> | 'build' | null {
    if (schema !== this.owner) {
      this.entries.clear();
      this.owner = schema;
    }
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.put(key, 'seen');
      return null;
    }
    if (entry === 'seen') return 'build';
    return entry === 'uncacheable' ? null : entry;
  }

  store(key: string, template: Template<Plan> | null): void {
    this.put(key, template ?? 'uncacheable');
  }

  private put(key: string, value: Template<Plan> | 'seen' | 'uncacheable'): void {
    if (this.entries.size >= this.capacity && !this.entries.has(key)) {
      // Oldest first: Map keeps insertion order.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
  }
}
