// In charge of one schema's `Functions`: Args and Returns per overload (a union when overloaded), `[]` for set-returning functions, SetofOptions for functions returning rows of a relation or a composite type.

import { qualifiedKey } from '../../rest/schema-cache/qualified-key.ts';
import type { Routine, SchemaCache } from '../../rest/schema-cache/types.ts';
import type { Doc } from './doc.ts';
import { parseTypeText, tsType, typnameRef } from './pg-to-ts.ts';
import type { TsType, TypeWorld } from './pg-to-ts.ts';
import { byName, rowType } from './render-relations.ts';
import { arrayOf, emptyMappedType, objectType, str, union } from './ts-doc.ts';
import type { Member } from './ts-doc.ts';

function args(r: Routine, world: TypeWorld): Doc {
  if (r.params.length === 0) return 'never';
  const params = [...r.params].sort((a, b) => byName(a.name, b.name));
  return objectType(params.map((p) => ({ key: p.name, optional: !p.required, value: tsType(parseTypeText(p.type), world).doc })), false);
}

/** The returned type before `[]`, and the relation or composite type the rows are (for SetofOptions). */
function returned(r: Routine, cache: SchemaCache, world: TypeWorld): { type: TsType; rowsOf: string | null } {
  const ret = r.returns;
  if (ret.kind === 'void') return { type: { doc: 'undefined', isUnion: false }, rowsOf: null };
  if (r.outParams.length > 0) {
    // `returns table (…)` (and OUT parameters): an object of the columns
    const outs = [...r.outParams].sort((a, b) => byName(a.name, b.name));
    return { type: { doc: objectType(outs.map((o) => ({ key: o.name, value: tsType(parseTypeText(o.type), world).doc })), true), isUnion: false }, rowsOf: null };
  }
  if (ret.kind === 'composite') {
    const rel = ret.relation === null ? undefined : cache.relations.get(qualifiedKey(ret.relation.schema, ret.relation.name));
    if (rel !== undefined && rel.schema === r.schema) return { type: { doc: rowType(rel, world), isUnion: false }, rowsOf: rel.name };
    const type = tsType({ ...ret.type, array: false }, world);
    return { type, rowsOf: type.doc === 'unknown' || ret.type.name === 'record' ? null : ret.type.name };
  }
  return { type: tsType(typnameRef(ret.type), world), rowsOf: null };
}

function signature(r: Routine, cache: SchemaCache, world: TypeWorld): Doc {
  const { type, rowsOf } = returned(r, cache, world);
  const setOf = r.returns.kind !== 'void' && r.returns.setOf;
  const members: Member[] = [
    { key: 'Args', value: args(r, world) },
    { key: 'Returns', value: setOf ? arrayOf(type.doc, type.isUnion) : type.doc },
  ];
  if (rowsOf !== null) {
    members.push({
      key: 'SetofOptions',
      value: objectType(
        [
          { key: 'from', value: str('*') },
          { key: 'to', value: str(rowsOf) },
          { key: 'isOneToOne', value: String(!setOf) },
          { key: 'isSetofReturn', value: String(setOf) },
        ],
        true,
      ),
    });
  }
  return objectType(members, false);
}

/** postgres-meta orders overloads by their argument list (`pg_get_function_arguments`), then by return type. */
const argumentList = (r: Routine): string => r.params.map((p) => `${p.variadic ? 'VARIADIC ' : ''}${p.name} ${p.type}`.trim()).join(', ');

export function functionsSection(schema: string, cache: SchemaCache, world: TypeWorld): Doc {
  const groups = [...cache.routines.values()]
    .filter((overloads) => overloads[0]?.schema === schema)
    .sort((a, b) => byName(a[0]?.name ?? '', b[0]?.name ?? ''));
  if (groups.length === 0) return emptyMappedType;
  return objectType(
    groups.map((overloads) => {
      const sorted = [...overloads].sort((a, b) => byName(argumentList(a), argumentList(b)));
      return { key: overloads[0]?.name ?? '', value: union(sorted.map((r) => signature(r, cache, world))) };
    }),
    true,
  );
}
