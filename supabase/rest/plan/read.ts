// In charge of planning a read (PostgREST's readPlan): the request's select, filters, logic, order and ranges placed on a tree of nodes, each resolved against the schema cache, in PostgREST 12's order of checks.

import { capRowRange } from '../parse/index.ts';
import { notEmbedded, relatedOrderNotToOne, spreadNotToOne } from '../errors.ts';
import type { ApiError } from '../errors.ts';
import type { ApiRequest } from '../parse/types.ts';
import { findRelation } from '../schema-cache/find.ts';
import type { SchemaCache } from '../schema-cache/types.ts';
import { buildDraft, findNode, fromLogicTree, nodeName, nodes } from './draft.ts';
import type { Draft, DraftLogic, DraftOrder } from './draft.ts';
import { addRelationships, isToOne } from './embed.ts';
import { resolveNode } from './resolve.ts';
import { addAliases, addSpreadSelects, expandStars, hoistSpreadAggregates, validateAggregates } from './selects.ts';
import type { ReadPlanOptions, ReadPlanResult } from './types.ts';

const fail = (error: ApiError): ReadPlanResult => ({ ok: false, error });

/** Sets the root's source: the request's relation read directly (PGRST205 when unknown), or the caller's CTE. */
function placeRoot(root: Draft, request: ApiRequest, cache: SchemaCache, options: ReadPlanOptions): ApiError | null {
  const given = options.root;
  if (given === undefined) {
    if (request.target.kind !== 'relation') throw new Error('planRead needs a relation target or options.root');
    const found = findRelation(cache, request.target.schema, request.target.name);
    if (!found.ok) return found.error;
    const relation = found.value;
    root.relation = relation;
    root.relationName = { schema: relation.schema, name: relation.name };
    root.source = { type: 'relation', relation: root.relationName };
    root.qualifier = { schema: relation.schema, name: relation.name };
    return null;
  }
  const relation = given.relation === null ? null : findRelation(cache, given.relation.schema, given.relation.name);
  root.relation = relation?.ok === true ? relation.value : null;
  root.columns = given.columns ?? null;
  const name = given.name ?? given.relation?.name ?? root.relName;
  root.relationName = given.relation === null ? { schema: request.schema, name } : { schema: given.relation.schema, name };
  root.source = given.source;
  if (given.source.type === 'cte') {
    root.fromAlias = name;
    root.qualifier = { schema: null, name };
  } else {
    root.qualifier = { schema: given.source.relation.schema, name: given.source.relation.name };
  }
  return null;
}

/** PostgREST's addFilters, addOrders, addRanges and addLogicTrees: each list is applied from its end, so the last bad path is the one reported. */
function placeParameters(root: Draft, request: ApiRequest, options: ReadPlanOptions): ApiError | null {
  const reversed = <T>(xs: readonly T[]): T[] => [...xs].reverse();
  const filters = options.rootFilters === false ? request.filters.filter((f) => f.path.length > 0) : request.filters;
  const filtered: [Draft, DraftLogic][] = [];
  for (const f of reversed(filters)) {
    const found = findNode(root, f.path);
    if (!found.ok) return found.error;
    filtered.unshift([found.node, { type: 'stmt', filter: f.filter }]);
  }
  for (const [node, w] of filtered) node.where.push(w);

  if (options.orders !== false) {
    for (const o of reversed(request.order)) {
      const found = findNode(root, o.path);
      if (!found.ok) return found.error;
      found.node.order = o.terms;
    }
  }
  if (options.ranges !== false) {
    root.range = request.range;
    for (const r of reversed(request.ranges)) {
      if (r.path.length === 0) continue;
      const found = findNode(root, r.path);
      if (!found.ok) return found.error;
      found.node.range = r.range;
    }
  }
  const trees: [Draft, DraftLogic][] = [];
  for (const l of reversed(request.logic)) {
    const found = findNode(root, l.path);
    if (!found.ok) return found.error;
    trees.unshift([found.node, fromLogicTree(l.tree)]);
  }
  // logic trees go before the plain filters of their node
  for (const [node, t] of reversed(trees)) node.where.unshift(t);
  return null;
}

/** Related orders name a to-one embed of the same level (PGRST108 when not embedded, PGRST118 when to-many). */
function addRelatedOrders(root: Draft): ApiError | null {
  for (const node of nodes(root)) {
    const resolved: DraftOrder[] = [];
    for (const term of node.order ?? []) {
      if (term.type === 'field') {
        resolved.push({ type: 'field', term });
        continue;
      }
      const child = node.children.find((c) => nodeName(c) === term.relation);
      if (child === undefined) return notEmbedded(term.relation);
      if (child.relationship === null || !isToOne(child.relationship)) return relatedOrderNotToOne(node.relationName?.name ?? node.relName, nodeName(child));
      resolved.push({ type: 'relation', term, child });
    }
    node.resolvedOrder = resolved;
  }
  return null;
}

function validateSpreads(root: Draft): ApiError | null {
  for (const node of nodes(root)) {
    const rel = node.relationship;
    if (node.isSpread && rel !== null && !isToOne(rel)) return spreadNotToOne(rel.table.name, node.relName);
  }
  return null;
}

/** `rel=is.null` / `rel=not.is.null` on an embedded `rel` (also inside `or`/`and`) filter on the embed's presence. */
function addNullEmbedFilters(root: Draft): void {
  const convert = (node: Draft, tree: DraftLogic): DraftLogic => {
    if (tree.type === 'expr') return { ...tree, children: tree.children.map((c) => convert(node, c)) };
    if (tree.type !== 'stmt') return tree;
    const { field, opExpr } = tree.filter;
    if (field.jsonPath.length > 0 || opExpr.operation.type !== 'is' || opExpr.operation.value !== 'null') return tree;
    const child = node.children.find((c) => nodeName(c) === field.name);
    return child === undefined ? tree : { type: 'embed-null', negated: opExpr.negated, child };
  };
  for (const node of nodes(root)) node.where = node.where.map((w) => convert(node, w));
}

function restrictRanges(root: Draft, options: ReadPlanOptions): void {
  if (options.maxRows === undefined || options.ranges === false) return;
  for (const node of nodes(root)) if (node.depth > 0) node.range = capRowRange(node.range, options.maxRows);
}

/**
 * Plans a GET/HEAD on a table or view — or, with `options.root`, the read over a mutation's RETURNING rows or a
 * function's result. Errors come in PostgREST 12's order: PGRST205, PGRST108 (filters, orders, ranges, logic),
 * PGRST200/201, PGRST118, PGRST119, PGRST123, then the PostgreSQL error (42703) for the first unknown column.
 */
export function planRead(request: ApiRequest, cache: SchemaCache, options: ReadPlanOptions = {}): ReadPlanResult {
  const rootName = options.root?.name ?? options.root?.relation?.name ?? (request.target.kind === 'openapi' ? '' : request.target.name);
  const root = buildDraft(rootName, request.select);
  const steps: (() => ApiError | null)[] = [
    () => placeRoot(root, request, cache, options),
    () => placeParameters(root, request, options),
    () => addRelationships(root, cache, request.schema),
    () => (expandStars(root), addAliases(root), null),
    () => addRelatedOrders(root),
    () => validateSpreads(root),
    () => (addNullEmbedFilters(root), addSpreadSelects(root), null),
    () => validateAggregates(root, options.aggregatesEnabled ?? false),
    () => (hoistSpreadAggregates(root), restrictRanges(root, options), null),
  ];
  for (const step of steps) {
    const error = step();
    if (error !== null) return fail(error);
  }
  const resolved = resolveNode(root);
  return resolved.ok ? { ok: true, plan: resolved.value } : fail(resolved.error);
}
