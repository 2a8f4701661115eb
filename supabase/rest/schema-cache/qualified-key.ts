// In charge of the one spelling of a qualified name used as a Map key across the schema cache.

import type { QualifiedName } from './types.ts';

const quote = (identifier: string): string => `"${identifier.replaceAll('"', '""')}"`;

/** `"schema"."name"`: unambiguous whatever the names contain. */
export const qualifiedKey = (schema: string, name: string): string => `${quote(schema)}.${quote(name)}`;

export const keyOf = (q: QualifiedName): string => qualifiedKey(q.schema, q.name);

export const sameName = (a: QualifiedName, b: QualifiedName): boolean => a.schema === b.schema && a.name === b.name;
