// In charge of the last planning step: every remaining field name resolved against its node's columns, in the order PostgreSQL analyses the statement (embeds, select list, where, order by), so the first unknown name gives the error PostgreSQL would have given; the draft becomes an immutable ReadPlan.

import type { ApiError } from '../errors.ts';
import type { Field } from '../parse/types.ts';
import type { Draft, DraftLogic, DraftSelect } from './draft.ts';
import { nodeName } from './draft.ts';
import { columnsOf, resolveField, validCast } from './fields.ts';
import { undefinedColumn } from './pg-errors.ts';
import { isEmptyEmbed } from './selects.ts';
import type { CoercibleLogicTree, CoercibleOrderTerm, CoercibleSelectField, EmbedLink, ReadPlan, SelectTarget } from './types.ts';
import { isToOne } from './embed.ts';

type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

const ok = <T>(value: T): Result<T> => ({ ok: true, value });

function cast(value: string | null): Result<string | null> {
  if (value === null) return ok(null);
  const c = validCast(value);
  return c.ok ? ok(c.type) : c;
}

function selectTarget(node: Draft, s: DraftSelect): Result<SelectTarget> {
  const f = s.field.field;
  if (s.rowTarget) return ok({ type: 'row' });
  if (f.name === '*' && f.jsonPath.length === 0) return ok({ type: 'star' });
  const columns = columnsOf(node);
  // `t.count` is `count(t)` to PostgreSQL: the legacy row count PostgREST still documents
  if (f.name === 'count' && f.jsonPath.length === 0 && !columns.some((c) => c.name === 'count')) return ok({ type: 'row-count' });
  const r = resolveField(node, f);
  return r.ok ? ok({ type: 'column', field: r.field }) : r;
}

function selectField(node: Draft, s: DraftSelect): Result<CoercibleSelectField> {
  const target = selectTarget(node, s);
  if (!target.ok) return target;
  const c = cast(s.field.cast);
  if (!c.ok) return c;
  const ac = cast(s.aggregateCast);
  if (!ac.ok) return ac;
  return ok({ target: target.value, aggregate: s.aggregate, aggregateCast: ac.value, cast: c.value, alias: s.alias });
}

function logic(node: Draft, tree: DraftLogic): Result<CoercibleLogicTree> {
  if (tree.type === 'embed-null') return ok({ type: 'stmt', filter: { type: 'embed-null', negated: tree.negated, aggAlias: tree.child.aggAlias } });
  if (tree.type === 'stmt') {
    const f = resolveField(node, tree.filter.field);
    return f.ok ? ok({ type: 'stmt', filter: { type: 'filter', field: f.field, opExpr: tree.filter.opExpr } }) : f;
  }
  const children: CoercibleLogicTree[] = [];
  for (const c of tree.children) {
    const r = logic(node, c);
    if (!r.ok) return r;
    children.push(r.value);
  }
  return ok({ type: 'expr', negated: tree.negated, operator: tree.operator, children });
}

/** The column names an embed's lateral subquery outputs, for related orders (`order=clients(name)`). */
export function outputNames(plan: ReadPlan, columns: readonly string[]): string[] {
  const embedded = plan.children.flatMap((c): string[] => {
    if (c.link === null) return [];
    if (c.link.mode === 'spread') return c.link.spreadSelect.map((f) => f.alias ?? f.name);
    return c.link.empty ? [] : [c.link.selectName];
  });
  if (plan.select.length === 0 && plan.children.length === 0) return [...columns];
  const own = plan.select.flatMap((s): string[] => {
    if (s.alias !== null) return [s.alias];
    if (s.aggregate !== null) return [s.aggregate];
    switch (s.target.type) {
      case 'star':
        return [...columns];
      case 'row-count':
      case 'row':
        return ['count'];
      case 'column':
        return [s.target.field.name];
    }
  });
  return [...own, ...embedded];
}

function relatedOrderField(child: ReadPlan, columns: readonly string[], field: Field): Result<CoercibleOrderTerm['field']> {
  const names = outputNames(child, columns);
  if (!names.includes(field.name)) return { ok: false, error: undefinedColumn(child.link?.aggAlias ?? child.relName, field.name, names) };
  // an output of the subquery: its type is not known here, so a JSON path applies directly, as PostgREST does
  return ok({ name: field.name, jsonPath: field.jsonPath, toJson: false, type: '' });
}

function link(node: Draft): EmbedLink | null {
  const rel = node.relationship;
  if (rel === null) return null;
  return {
    relationship: rel,
    joinConditions: node.joinConditions,
    junction: node.junction,
    aggAlias: node.aggAlias,
    mode: node.isSpread ? 'spread' : isToOne(rel) ? 'object' : 'array',
    selectName: nodeName(node),
    empty: !node.isSpread && isEmptyEmbed(node),
    spreadSelect: node.spreadSelect,
  };
}

/** The ReadPlan of a draft whose relationships, aliases and orders are settled, or PostgreSQL's error for the first unknown name. */
export function resolveNode(node: Draft): Result<ReadPlan> {
  // FROM (lateral subqueries, depth first), then the select list, WHERE and ORDER BY, as PostgreSQL analyses them
  const children: ReadPlan[] = [];
  for (const c of node.children) {
    const r = resolveNode(c);
    if (!r.ok) return r;
    children.push(r.value);
  }
  const select: CoercibleSelectField[] = [];
  for (const s of node.select) {
    const r = selectField(node, s);
    if (!r.ok) return r;
    select.push(r.value);
  }
  const where: CoercibleLogicTree[] = [];
  for (const w of node.where) {
    const r = logic(node, w);
    if (!r.ok) return r;
    where.push(r.value);
  }
  const order: CoercibleOrderTerm[] = [];
  for (const o of node.resolvedOrder) {
    if (o.type === 'field') {
      const f = resolveField(node, o.term.field);
      if (!f.ok) return f;
      order.push({ type: 'field', field: f.field, direction: o.term.direction, nulls: o.term.nulls });
      continue;
    }
    const index = node.children.indexOf(o.child);
    const child = children[index];
    if (child === undefined) continue;
    const f = relatedOrderField(child, columnsOf(o.child).map((c) => c.name), o.term.field);
    if (!f.ok) return f;
    order.push({ type: 'relation', aggAlias: o.child.aggAlias, field: f.value, direction: o.term.direction, nulls: o.term.nulls });
  }
  if (node.source === null || node.qualifier === null) throw new Error(`read plan node ${node.relName} has no source`);
  return ok({
    source: node.source,
    relation: node.relationName,
    fromAlias: node.fromAlias,
    qualifier: node.qualifier,
    select,
    where,
    order,
    range: node.range,
    relName: node.relName,
    relAlias: node.relAlias,
    relHint: node.relHint,
    joinType: node.joinType,
    isSpread: node.isSpread,
    depth: node.depth,
    link: link(node),
    children,
  });
}
