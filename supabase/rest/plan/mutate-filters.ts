// In charge of what a write's top level filters on: the URL's filters, logic trees and order resolved against the target table's columns, and PUT's rule that the filters be exactly `eq` on every primary-key column (PGRST105).

import { invalidPutFilters, notEmbedded } from '../errors.ts';
import type { ApiError } from '../errors.ts';
import type { ApiRequest, Field, LogicTree, OrderTerm } from '../parse/types.ts';
import type { Relation } from '../schema-cache/types.ts';
import { coercible } from './fields.ts';
import { undefinedColumn } from './pg-errors.ts';
import type { CoercibleField, CoercibleLogicTree, CoercibleOrderTerm } from './types.ts';

type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** A column of the table with its JSON path, or PostgreSQL's 42703 (`column projects.x does not exist`). */
export function tableField(relation: Relation, field: Field): Result<CoercibleField> {
  const column = relation.columns.get(field.name);
  if (column === undefined) return { ok: false, error: undefinedColumn(relation.name, field.name, relation.columns.keys()) };
  return { ok: true, value: coercible({ name: column.name, type: column.dataType }, field.jsonPath) };
}

function logicTree(relation: Relation, tree: LogicTree): Result<CoercibleLogicTree> {
  if (tree.type === 'stmt') {
    const f = tableField(relation, tree.filter.field);
    return f.ok ? { ok: true, value: { type: 'stmt', filter: { type: 'filter', field: f.value, opExpr: tree.filter.opExpr } } } : f;
  }
  const children: CoercibleLogicTree[] = [];
  for (const c of tree.children) {
    const r = logicTree(relation, c);
    if (!r.ok) return r;
    children.push(r.value);
  }
  return { ok: true, value: { type: 'expr', negated: tree.negated, operator: tree.operator, children } };
}

/** The top level's filters, then its logic trees (`or=`, `and=`), as the WHERE of the mutation (PostgREST's combinedLogic). */
export function rootConditions(relation: Relation, request: ApiRequest): Result<CoercibleLogicTree[]> {
  const trees: LogicTree[] = [
    ...request.filters.filter((f) => f.path.length === 0).map((f): LogicTree => ({ type: 'stmt', filter: f.filter })),
    ...request.logic.filter((l) => l.path.length === 0).map((l) => l.tree),
  ];
  const out: CoercibleLogicTree[] = [];
  for (const t of trees) {
    const r = logicTree(relation, t);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return { ok: true, value: out };
}

/** `ctid` orders a table without a primary key (PostgREST's documented way for limited updates/deletes). */
const CTID: CoercibleField = { name: 'ctid', jsonPath: [], toJson: true, type: 'tid' };

/** The top-level `order` of a limited update/delete; related orders cannot apply to a write. */
export function rootOrder(relation: Relation, request: ApiRequest): Result<CoercibleOrderTerm[]> {
  const terms: readonly OrderTerm[] = request.order.find((o) => o.path.length === 0)?.terms ?? [];
  const out: CoercibleOrderTerm[] = [];
  for (const t of terms) {
    if (t.type === 'relation') return { ok: false, error: notEmbedded(t.relation) };
    const f = t.field.name === 'ctid' && t.field.jsonPath.length === 0 && !relation.columns.has('ctid') ? { ok: true as const, value: CTID } : tableField(relation, t.field);
    if (!f.ok) return f;
    out.push({ type: 'field', field: f.value, direction: t.direction, nulls: t.nulls });
  }
  return { ok: true, value: out };
}

/**
 * PUT addresses one row: no logic trees, and the top-level filters are exactly `pk=eq.value` (no `not`, no
 * quantifier) on every primary-key column and nothing else; PGRST105 otherwise.
 */
export function checkPutFilters(relation: Relation, request: ApiRequest): ApiError | null {
  const root = request.filters.filter((f) => f.path.length === 0);
  const names = new Set(root.map((f) => f.filter.field.name));
  const pk = new Set(relation.primaryKey);
  const isPlainEq = root.every(({ filter: { opExpr } }) => {
    const op = opExpr.operation;
    return !opExpr.negated && op.type === 'compare' && op.operator === 'eq' && op.quantifier === null;
  });
  const samePk = pk.size > 0 && names.size === pk.size && [...names].every((n) => pk.has(n));
  const noLogic = !request.logic.some((l) => l.path.length === 0);
  return noLogic && samePk && isPlainEq ? null : invalidPutFilters();
}
