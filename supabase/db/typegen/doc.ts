// In charge of laying out generated TypeScript the way prettier does (80 columns, 2 spaces): a small Wadler-style document printer with prettier's group, indent, line and ifBreak.

export type Doc = string | readonly Doc[] | Group | Indent | Line | IfBreak;

interface Group {
  readonly kind: 'group';
  readonly contents: Doc;
  /** Printed broken whatever the width (prettier keeps an object broken when its source was). */
  shouldBreak: boolean;
}
interface Indent {
  readonly kind: 'indent';
  readonly contents: Doc;
}
interface Line {
  readonly kind: 'line';
  /** Flat: a space, or nothing when soft. */
  readonly soft: boolean;
  /** Always a newline; breaks every enclosing group. */
  readonly hard: boolean;
}
interface IfBreak {
  readonly kind: 'if-break';
  readonly broken: Doc;
  readonly flat: Doc;
}

export const group = (contents: Doc, shouldBreak = false): Group => ({ kind: 'group', contents, shouldBreak });
export const indent = (contents: Doc): Indent => ({ kind: 'indent', contents });
export const line: Line = { kind: 'line', soft: false, hard: false };
export const softline: Line = { kind: 'line', soft: true, hard: false };
export const hardline: Line = { kind: 'line', soft: false, hard: true };
export const ifBreak = (broken: Doc, flat: Doc = ''): IfBreak => ({ kind: 'if-break', broken, flat });

export function join(separator: Doc, docs: readonly Doc[]): Doc[] {
  return docs.flatMap((d, i) => (i === 0 ? [d] : [separator, d]));
}

const WIDTH = 80;
type Mode = 'flat' | 'break';
type Command = readonly [indentation: number, mode: Mode, doc: Doc];

/** Marks every group that contains a hard line or a group that must break (prettier's propagateBreaks). */
function propagateBreaks(doc: Doc): boolean {
  if (typeof doc === 'string') return false;
  if (Array.isArray(doc)) return (doc as readonly Doc[]).map(propagateBreaks).some(Boolean);
  const d = doc as Group | Indent | Line | IfBreak;
  switch (d.kind) {
    case 'line':
      return d.hard;
    case 'indent':
      return propagateBreaks(d.contents);
    case 'if-break':
      return propagateBreaks(d.broken);
    case 'group': {
      const inner = propagateBreaks(d.contents);
      d.shouldBreak ||= inner;
      return d.shouldBreak;
    }
  }
}

/** Whether `next` printed flat, followed by the rest of the line, stays within `width` columns. */
function fits(next: Command, rest: readonly Command[], width: number): boolean {
  const todo: Command[] = [next];
  let restIndex = rest.length;
  while (width >= 0) {
    let cmd = todo.pop();
    if (cmd === undefined) {
      if (restIndex === 0) return true;
      cmd = rest[--restIndex] as Command;
    }
    const [ind, mode, doc] = cmd;
    if (typeof doc === 'string') {
      width -= doc.length;
    } else if (Array.isArray(doc)) {
      for (let i = doc.length - 1; i >= 0; i--) todo.push([ind, mode, doc[i] as Doc]);
    } else {
      const d = doc as Group | Indent | Line | IfBreak;
      if (d.kind === 'indent') todo.push([ind, mode, d.contents]);
      else if (d.kind === 'group') todo.push([ind, d.shouldBreak ? 'break' : mode, d.contents]);
      else if (d.kind === 'if-break') todo.push([ind, mode, mode === 'break' ? d.broken : d.flat]);
      else if (mode === 'break' || d.hard) return true;
      else if (!d.soft) width -= 1;
    }
  }
  return false;
}

export function print(doc: Doc): string {
  propagateBreaks(doc);
  const out: string[] = [];
  let column = 0;
  const stack: Command[] = [[0, 'break', doc]];
  while (stack.length > 0) {
    const [ind, mode, d] = stack.pop() as Command;
    if (typeof d === 'string') {
      out.push(d);
      column += d.length;
    } else if (Array.isArray(d)) {
      for (let i = d.length - 1; i >= 0; i--) stack.push([ind, mode, d[i] as Doc]);
    } else {
      const node = d as Group | Indent | Line | IfBreak;
      switch (node.kind) {
        case 'indent':
          stack.push([ind + 2, mode, node.contents]);
          break;
        case 'if-break':
          stack.push([ind, mode, mode === 'break' ? node.broken : node.flat]);
          break;
        case 'group': {
          const flat = !node.shouldBreak && fits([ind, 'flat', node.contents], stack, WIDTH - column);
          stack.push([ind, flat ? 'flat' : 'break', node.contents]);
          break;
        }
        case 'line':
          if (mode === 'flat' && !node.hard) {
            if (!node.soft) {
              out.push(' ');
              column += 1;
            }
          } else {
            // trailing whitespace is trimmed before every newline, as prettier does
            while (out.length > 0 && /^[ ]*$/.test(out[out.length - 1] as string)) out.pop();
            if (out.length > 0) out[out.length - 1] = (out[out.length - 1] as string).replace(/[ ]+$/, '');
            out.push('\n' + ' '.repeat(ind));
            column = ind;
          }
          break;
      }
    }
  }
  return out.join('');
}
