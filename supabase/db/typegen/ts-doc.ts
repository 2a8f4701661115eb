// In charge of the TypeScript constructs the generated file is made of (object types, unions, arrays, tuples, object literals), each printed as prettier prints it with `semi: false`.

import { group, ifBreak, indent, join, line, softline } from './doc.ts';
import type { Doc } from './doc.ts';

export interface Member {
  readonly key: string;
  readonly optional?: boolean;
  readonly value: Doc;
}

const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*$/u;

/** A property name as prettier's `quoteProps: "as-needed"` leaves it: bare when it is an identifier, else double-quoted. */
export const propertyKey = (key: string): string => (IDENTIFIER.test(key) ? key : JSON.stringify(key));

/** A string literal (type or value), double-quoted. */
export const str = (value: string): string => JSON.stringify(value);

function bracketed(open: string, close: string, items: readonly Doc[], separator: Doc, trailing: Doc, shouldBreak: boolean): Doc {
  if (items.length === 0) return `${open}${close}`;
  return group([open, indent([line, join([separator, line], items)]), trailing, line, close], shouldBreak);
}

const memberDoc = (m: Member): Doc => [propertyKey(m.key), m.optional === true ? '?' : '', ': ', m.value];

/** `{ a: T; b?: U }` on one line when it fits and `expanded` is false, else one member per line without separators. */
export function objectType(members: readonly Member[], expanded: boolean): Doc {
  return bracketed('{', '}', members.map(memberDoc), ifBreak('', ';'), '', expanded);
}

/** `{ [_ in never]: never }`, the empty-section marker, always broken as postgres-meta writes it. */
export const emptyMappedType: Doc = group(['{', indent([line, '[_ in never]: never']), line, '}'], true);

/** `{ a: 1, b: [2] }` as an expression: commas, and a trailing comma when broken. */
export function objectLiteral(members: readonly Member[], expanded: boolean): Doc {
  return bracketed('{', '}', members.map(memberDoc), ',', ifBreak(','), expanded);
}

/** `[a, b]` (tuple type or array literal): broken one item per line with a trailing comma. */
export function tuple(items: readonly Doc[]): Doc {
  if (items.length === 0) return '[]';
  return group(['[', indent([softline, join([',', line], items)]), ifBreak(','), softline, ']']);
}

/** `A | B` as a property's type: broken with a leading `|` per member, each indented. */
export function union(members: readonly Doc[]): Doc {
  if (members.length === 1) return members[0] as Doc;
  return group(indent([ifBreak([line, '| ']), join([line, '| '], members.map((m) => indent(m)))]));
}

/** `T | null`, except where the type already admits null. */
export function nullable(type: Doc, isNullable: boolean): Doc {
  if (!isNullable || type === 'unknown') return type;
  return union([type, 'null']);
}

/** `T[]`; a union element is parenthesised. */
export const arrayOf = (element: Doc, elementIsUnion: boolean): Doc => (elementIsUnion ? ['(', element, ')[]'] : [element, '[]']);
