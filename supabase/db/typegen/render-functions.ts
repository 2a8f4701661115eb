// In charge of one schema's `Functions`: Args and Returns per overload (a union when overloaded), `[]` for functions returning many rows, SetofOptions for functions returning rows of a relation or a composite type.

import { qualifiedKey } from '../../rest/schema-cache/qualified-key.ts';
import type { Routine, SchemaCache } from '../../rest/schema-cache/types.ts';
import { functionKey } from './catalog.ts';
import type { FunctionExtra, TypegenCatalog } from './catalog.ts';
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

const NO_EXTRA: FunctionExtra = { argumentTypes: '', returnType: '', returnsTable: false, returnsManyRows: true };

const extraOf = (r: Routine, extra: TypegenCatalog): FunctionExtra =>
  extra.functions.get(functionKey(r.schema, r.name, r.params.map((p) => p.type))) ?? NO_EXTRA;

/** The returned type before `[]`, and the relation or composite type the rows are (for SetofOptions). */
function returned(r: Routine, fx: FunctionExtra, cache: SchemaCache, world: TypeWorld): { type: TsType; rowsOf: string | null } {
  const ret = r.returns;
  if (ret.kind === 'void') return { type: { doc: 'undefined', isUnion: false }, rowsOf: null };
  if (fx.returnsTable) {
    const outs = [...r.outParams].sort((a, b) => byName(a.name, b.name));
    return { type: { doc: objectType(outs.map((o) => ({ key: o.name, value: tsType(parseTypeText(o.type), world).doc })), true), isUnion: false }, rowsOf: null };
  }
  const rel = ret.kind === 'composite' && ret.relation !== null ? cache.relations.get(qualifiedKey(ret.relation.schema, ret.relation.name)) : undefined;
  if (rel !== undefined && rel.schema === r.schema) return { type: { doc: rowType(rel, world), isUnion: false }, rowsOf: rel.name };
  const isComposite = world.compositeTypes.some((c) => c.schema === ret.type.schema && c.name === ret.type.name);
  const rowsOf = rel !== undefined || isComposite ? ret.type.name : null;
  // the cache names a row or composite type by its relation, anything else by `typname` (`_int4` for `integer[]`)
  return { type: tsType(rowsOf !== null ? { ...ret.type, array: false } : typnameRef(ret.type), world), rowsOf };
}

function signature(r: Routine, extra: TypegenCatalog, cache: SchemaCache, world: TypeWorld): Doc {
  const fx = extraOf(r, extra);
  const { type, rowsOf } = returned(r, fx, cache, world);
  const setOf = r.returns.kind !== 'void' && r.returns.setOf;
  const many = setOf && fx.returnsManyRows;
  const members: Member[] = [
    { key: 'Args', value: args(r, world) },
    { key: 'Returns', value: many ? arrayOf(type.doc, type.isUnion) : type.doc },
  ];
  if (rowsOf !== null) {
    members.push({
      key: 'SetofOptions',
      value: objectType(
        [
          { key: 'from', value: str('*') },
          { key: 'to', value: str(rowsOf) },
          { key: 'isOneToOne', value: String(!fx.returnsManyRows) },
          { key: 'isSetofReturn', value: String(setOf) },
        ],
        true,
      ),
    });
  }
  return objectType(members, false);
}

interface Overload {
  readonly extra: FunctionExtra;
  readonly doc: Doc;
}

/** Trigger functions take no arguments and return nothing a client can use: `{ Args: never; Returns: unknown }`. */
const TRIGGER_SIGNATURE = (): Doc => objectType([{ key: 'Args', value: 'never' }, { key: 'Returns', value: 'unknown' }], false);

/** Every function of `schema` by name; overloads (a union) ordered as postgres-meta orders them, by argument list then result. */
export function functionsSection(schema: string, cache: SchemaCache, extra: TypegenCatalog, world: TypeWorld): Doc {
  const byFunction = new Map<string, Overload[]>();
  const add = (name: string, o: Overload): void => {
    const list = byFunction.get(name);
    if (list === undefined) byFunction.set(name, [o]);
    else list.push(o);
  };
  for (const overloads of cache.routines.values()) {
    for (const r of overloads) if (r.schema === schema) add(r.name, { extra: extraOf(r, extra), doc: signature(r, extra, cache, world) });
  }
  for (const t of extra.triggerFunctions) if (t.schema === schema) add(t.name, { extra: t, doc: TRIGGER_SIGNATURE() });
  if (byFunction.size === 0) return emptyMappedType;
  const names = [...byFunction.keys()].sort(byName);
  return objectType(
    names.map((name) => {
      const sorted = [...(byFunction.get(name) ?? [])].sort(
        (a, b) => byName(a.extra.argumentTypes, b.extra.argumentTypes) || byName(a.extra.returnType, b.extra.returnType),
      );
      return { key: name, value: union(sorted.map((o) => o.doc)) };
    }),
    true,
  );
}
