/** Splits a SQL script into statements, each with the line it starts on, so a failing statement can be reported by line. */
export interface SqlStatement {
  text: string;
  /** 1-based line of the statement's first character in the script. */
  line: number;
}

/**
 * Understands what can hide a semicolon: '…' and E'…' strings, "…" identifiers, $tag$…$tag$ bodies,
 * -- and nested block comments, and the BEGIN ATOMIC … END bodies of SQL-standard functions.
 */
export function splitSql(script: string): SqlStatement[] {
  const out: SqlStatement[] = [];
  let start = 0;
  let i = 0;
  let line = 1;
  let startLine = 1;
  let atomicDepth = 0;
  const n = script.length;

  const push = (end: number) => {
    const raw = script.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const text = raw.trim();
    if (text && !isOnlyComments(text)) {
      out.push({ text, line: startLine + countNewlines(raw.slice(0, lead)) });
    }
  };

  while (i < n) {
    const c = script[i]!;
    const next = script[i + 1];
    if (c === '\n') {
      line++;
      i++;
    } else if (c === '-' && next === '-') {
      while (i < n && script[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (script[i] === '/' && script[i + 1] === '*') { depth++; i += 2; }
        else if (script[i] === '*' && script[i + 1] === '/') { depth--; i += 2; }
        else { if (script[i] === '\n') line++; i++; }
      }
    } else if (c === "'") {
      const escapes = i > 0 && /[eE]/.test(script[i - 1]!) && !/[\w$]/.test(script[i - 2] ?? ' ');
      i++;
      while (i < n) {
        const d = script[i]!;
        if (d === '\n') line++;
        if (escapes && d === '\\') { i += 2; continue; }
        if (d === "'") {
          if (script[i + 1] === "'") { i += 2; continue; }
          i++;
          break;
        }
        i++;
      }
    } else if (c === '"') {
      i++;
      while (i < n) {
        if (script[i] === '\n') line++;
        if (script[i] === '"') {
          if (script[i + 1] === '"') { i += 2; continue; }
          i++;
          break;
        }
        i++;
      }
    } else if (c === '$' && !/[\w$]/.test(script[i - 1] ?? ' ')) {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(script.slice(i, i + 64));
      if (!m) { i++; continue; }
      const tag = m[0];
      const close = script.indexOf(tag, i + tag.length);
      const end = close === -1 ? n : close + tag.length;
      line += countNewlines(script.slice(i, end));
      i = end;
    } else if (/[A-Za-z_]/.test(c) && !/[\w$]/.test(script[i - 1] ?? ' ')) {
      let j = i;
      while (j < n && /[\w$]/.test(script[j]!)) j++;
      const word = script.slice(i, j).toLowerCase();
      if (word === 'begin' && /^\s+atomic\b/i.test(script.slice(j, j + 32))) atomicDepth++;
      else if (atomicDepth > 0 && word === 'case') atomicDepth++;
      else if (atomicDepth > 0 && word === 'end') atomicDepth--;
      i = j;
    } else if (c === ';' && atomicDepth === 0) {
      push(i);
      i++;
      start = i;
      startLine = line;
    } else {
      i++;
    }
  }
  push(n);
  return out;
}

function countNewlines(s: string): number {
  let k = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) k++;
  return k;
}

function isOnlyComments(text: string): boolean {
  return text.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '').trim() === '';
}
