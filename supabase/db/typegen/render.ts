// In charge of the whole generated `types/database.ts`: `Json`, `Database` (one entry per exposed schema), the helper types and `Constants`, laid out as `supabase gen types typescript` prints them.

import { qualifiedKey } from '../../rest/schema-cache/qualified-key.ts';
import type { SchemaCache } from '../../rest/schema-cache/types.ts';
import type { TypegenCatalog } from './catalog.ts';
import { print } from './doc.ts';
import type { Doc } from './doc.ts';
import { HELPER_TYPES } from './helper-types.ts';
import { parseTypeText, tsType } from './pg-to-ts.ts';
import type { TypeWorld } from './pg-to-ts.ts';
import { functionsSection } from './render-functions.ts';
import { byName, tablesSection, viewsSection } from './render-relations.ts';
import { emptyMappedType, nullable, objectLiteral, objectType, str, tuple, union } from './ts-doc.ts';

const JSON_TYPE: Doc = [
  'export type Json = ',
  union(['string', 'number', 'boolean', 'null', '{ [key: string]: Json | undefined }', 'Json[]']),
];

function enumsSection(schema: string, extra: TypegenCatalog): Doc {
  const enums = extra.enums.filter((e) => e.schema === schema).sort((a, b) => byName(a.name, b.name));
  if (enums.length === 0) return emptyMappedType;
  return objectType(enums.map((e) => ({ key: e.name, value: union(e.values.map(str)) })), true);
}

function compositeTypesSection(schema: string, extra: TypegenCatalog, world: TypeWorld): Doc {
  const types = extra.compositeTypes.filter((t) => t.schema === schema).sort((a, b) => byName(a.name, b.name));
  if (types.length === 0) return emptyMappedType;
  return objectType(
    types.map((t) => ({
      key: t.name,
      value: objectType(t.attributes.map((a) => ({ key: a.name, value: nullable(tsType(parseTypeText(a.type), world).doc, true) })), true),
    })),
    true,
  );
}

function constants(schemas: readonly string[], extra: TypegenCatalog): Doc {
  const perSchema = schemas.map((schema) => {
    const enums = extra.enums.filter((e) => e.schema === schema).sort((a, b) => byName(a.name, b.name));
    const values = objectLiteral(enums.map((e) => ({ key: e.name, value: tuple(e.values.map(str)) })), true);
    return { key: schema, value: objectLiteral([{ key: 'Enums', value: values }], true) };
  });
  return ['export const Constants = ', objectLiteral(perSchema, true), ' as const'];
}

/** The generated file's text for the exposed `schemas` of `cache`, with the extra catalog facts in `extra`. Deterministic: everything is sorted. */
export function renderDatabaseTypes(cache: SchemaCache, extra: TypegenCatalog, schemas: readonly string[]): string {
  const sorted = [...schemas].sort(byName);
  const world: TypeWorld = {
    exposed: new Set(sorted),
    enums: extra.enums,
    compositeTypes: extra.compositeTypes,
    relations: cache.relations,
    relationKey: qualifiedKey,
  };
  const database = objectType(
    sorted.map((schema) => ({
      key: schema,
      value: objectType(
        [
          { key: 'Tables', value: tablesSection(schema, cache, world) },
          { key: 'Views', value: viewsSection(schema, cache, extra, world) },
          { key: 'Functions', value: functionsSection(schema, cache, extra, world) },
          { key: 'Enums', value: enumsSection(schema, extra) },
          { key: 'CompositeTypes', value: compositeTypesSection(schema, extra, world) },
        ],
        true,
      ),
    })),
    true,
  );
  const parts = [print(JSON_TYPE), print(['export type Database = ', database]), HELPER_TYPES, print(constants(sorted, extra))];
  return parts.join('\n\n') + '\n';
}
