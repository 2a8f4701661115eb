// In charge of mapping a Postgres type to the TypeScript type postgres-meta gives it: built-ins by name, enums, composite types and row types by reference into `Database`, everything else `unknown`.

import type { QualifiedName, Relation } from '../../rest/schema-cache/types.ts';
import type { CompositeType, EnumType } from './catalog.ts';
import type { Doc } from './doc.ts';
import { arrayOf, str, union } from './ts-doc.ts';

/** A type as the catalog names it: schema, name (`format_type` spelling or `typname`) and whether it is an array. */
export interface TypeRef extends QualifiedName {
  readonly array: boolean;
}

export interface TsType {
  readonly doc: Doc;
  readonly isUnion: boolean;
}

const NUMBER = ['smallint', 'int2', 'integer', 'int4', 'bigint', 'int8', 'real', 'float4', 'double precision', 'float8', 'numeric'];
const STRING = [
  'bytea', 'character', 'bpchar', 'character varying', 'varchar', 'date', 'text', 'time without time zone', 'time',
  'time with time zone', 'timetz', 'timestamp without time zone', 'timestamp', 'timestamp with time zone', 'timestamptz', 'uuid',
];
const BUILTIN: ReadonlyMap<string, string> = new Map([
  ...NUMBER.map((n) => [n, 'number'] as const),
  ...STRING.map((n) => [n, 'string'] as const),
  ['boolean', 'boolean'], ['bool', 'boolean'], ['json', 'Json'], ['jsonb', 'Json'], ['void', 'undefined'], ['record', 'Record<string, unknown>'],
]);
/** Extension types postgres-meta maps by name, whatever schema holds them. */
const BY_NAME_ANYWHERE: ReadonlyMap<string, string> = new Map([['citext', 'string'], ['vector', 'string']]);

function splitQualified(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '"') {
      if (quoted && text[i + 1] === '"') {
        current += '"';
        i++;
      } else quoted = !quoted;
    } else if (ch === '.' && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

/** Parses `format_type` / `regtype` text (`integer[]`, `public.mood`, `"My Schema"."T"`); unqualified names are pg_catalog's. */
export function parseTypeText(text: string): TypeRef {
  const array = text.endsWith('[]');
  const base = text.replace(/(\[\])+$/, '');
  const parts = splitQualified(base);
  const name = parts.pop() ?? base;
  return { schema: parts.pop() ?? 'pg_catalog', name, array };
}

/** A `typname` (`int4`, `_int4` for an array) in a schema, as the routine cache reports return types. */
export function typnameRef(q: QualifiedName): TypeRef {
  return q.name.startsWith('_') ? { schema: q.schema, name: q.name.slice(1), array: true } : { ...q, array: false };
}

export interface TypeWorld {
  readonly exposed: ReadonlySet<string>;
  readonly enums: readonly EnumType[];
  readonly compositeTypes: readonly CompositeType[];
  readonly relations: ReadonlyMap<string, Relation>;
  readonly relationKey: (schema: string, name: string) => string;
}

const dbRef = (...path: string[]): string => `Database${path.map((p) => `[${str(p)}]`).join('')}`;

function scalar(ref: QualifiedName, world: TypeWorld): TsType {
  const builtin = ref.schema === 'pg_catalog' ? BUILTIN.get(ref.name) : undefined;
  const named = builtin ?? BY_NAME_ANYWHERE.get(ref.name);
  if (named !== undefined) return { doc: named, isUnion: false };
  const en = world.enums.find((e) => e.schema === ref.schema && e.name === ref.name);
  if (en !== undefined) {
    if (world.exposed.has(en.schema)) return { doc: dbRef(en.schema, 'Enums', en.name), isUnion: false };
    return { doc: union(en.values.map(str)), isUnion: en.values.length > 1 };
  }
  if (world.compositeTypes.some((c) => c.schema === ref.schema && c.name === ref.name)) {
    return { doc: dbRef(ref.schema, 'CompositeTypes', ref.name), isUnion: false };
  }
  const rel = world.exposed.has(ref.schema) ? world.relations.get(world.relationKey(ref.schema, ref.name)) : undefined;
  if (rel !== undefined) return { doc: dbRef(rel.schema, rel.isView ? 'Views' : 'Tables', rel.name, 'Row'), isUnion: false };
  return { doc: 'unknown', isUnion: false };
}

export function tsType(ref: TypeRef, world: TypeWorld): TsType {
  const t = scalar(ref, world);
  return ref.array ? { doc: arrayOf(t.doc, t.isUnion), isUnion: false } : t;
}
