// In charge of building SQL text safely: fragments made only of fixed text, quoted identifiers and bind parameters, numbered `$1…$n` in text order when rendered.

import type { SqlQualifier } from '../plan/types.ts';

type Part = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'param'; readonly value: string };

/** A piece of SQL. Its text comes from this module's constructors only, so user input can only ever be a parameter or a quoted identifier. */
export class Fragment {
  private constructor(readonly parts: readonly Part[]) {}

  static of(parts: readonly Part[]): Fragment {
    return new Fragment(parts);
  }
}

export interface Statement {
  readonly text: string;
  readonly values: readonly string[];
}

/** `"name"` with embedded quotes doubled; NUL cannot appear in a Postgres identifier, so it is dropped. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('\u0000', '').replaceAll('"', '""')}"`;
}

/** Fixed SQL written by this codebase (keywords, operators, validated type names) — never user input. */
export const kw = (text: string): Fragment => Fragment.of([{ kind: 'text', text }]);

export const ident = (name: string): Fragment => kw(quoteIdent(name));

/** A bind parameter sent as text of unknown type, so Postgres infers it from where it stands. */
export const param = (value: string): Fragment => Fragment.of([{ kind: 'param', value }]);

export const empty: Fragment = Fragment.of([]);

/** Concatenates fragments. */
export const cat = (...fragments: readonly Fragment[]): Fragment => Fragment.of(fragments.flatMap((f) => f.parts));

/** Joins fragments with a fixed separator. */
export function join(fragments: readonly Fragment[], separator: string): Fragment {
  const parts: Part[] = [];
  fragments.forEach((f, i) => {
    if (i > 0) parts.push({ kind: 'text', text: separator });
    parts.push(...f.parts);
  });
  return Fragment.of(parts);
}

/** `sql\`SELECT ${a} FROM ${b}\``: fixed text around fragments. */
export function sql(strings: TemplateStringsArray, ...fragments: readonly Fragment[]): Fragment {
  const parts: Part[] = [];
  strings.forEach((s, i) => {
    if (s !== '') parts.push({ kind: 'text', text: s });
    const f = fragments[i];
    if (f !== undefined) parts.push(...f.parts);
  });
  return Fragment.of(parts);
}

/** `"schema"."name"` or `"alias"`. */
export const qualifier = (q: SqlQualifier): Fragment => (q.schema === null ? ident(q.name) : kw(`${quoteIdent(q.schema)}.${quoteIdent(q.name)}`));

/** `qualifier."column"`, or `qualifier.*` for `*`. */
export const column = (q: SqlQualifier, name: string): Fragment => (name === '*' ? sql`${qualifier(q)}.*` : sql`${qualifier(q)}.${ident(name)}`);

/** The text with parameters numbered in order of appearance, and their values. */
export function render(fragment: Fragment): Statement {
  let text = '';
  const values: string[] = [];
  for (const part of fragment.parts) {
    if (part.kind === 'text') text += part.text;
    else {
      values.push(part.value);
      text += `$${values.length}`;
    }
  }
  return { text, values };
}
