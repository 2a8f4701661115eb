// In charge of the select side of a read tree between name resolution and SQL: `*` expansion under aggregates, derived aliases, how each embed is output (object, array, spread, nothing) and aggregates hoisted out of spreads (PostgREST's expandStars, addAliases, addRelSelects, validateAggFunctions, hoistSpreadAggFunctions).

import { aggregatesNotAllowed } from '../errors.ts';
import type { ApiError } from '../errors.ts';
import type { AggregateFunction } from '../parse/types.ts';
import { nodeName, nodes } from './draft.ts';
import type { Draft, DraftSelect } from './draft.ts';
import { columnsOf, jsonPathAlias } from './fields.ts';
import type { SpreadSelectField } from './types.ts';

const isStar = (s: DraftSelect): boolean => s.field.field.name === '*' && s.field.field.jsonPath.length === 0;

/** Under an aggregate (in the node or above it), `*` becomes the node's columns so GROUP BY can list them; a spread's `count()` counts whole rows. */
export function expandStars(node: Draft, aggregateAbove = false): void {
  const hasAggregate = aggregateAbove || node.select.some((s) => s.aggregate !== null);
  const expandable = (s: DraftSelect): boolean => isStar(s) && (s.aggregate === null || (node.isSpread && s.aggregate === 'count'));
  if (hasAggregate && node.select.some(expandable)) {
    node.select = node.select.flatMap((s): DraftSelect[] => {
      if (!isStar(s)) return [s];
      if (s.aggregate === null) {
        return columnsOf(node).map((c) => ({ ...s, field: { ...s.field, field: { name: c.name, jsonPath: [] } } }));
      }
      return node.isSpread && s.aggregate === 'count' ? [{ ...s, rowTarget: true }] : [s];
    });
  }
  for (const child of node.children) expandStars(child, hasAggregate);
}

/** An explicit alias wins; aggregates are named by Postgres (a spread's whole-row `count()` is `count`); JSON paths by their last key. */
export function addAliases(root: Draft): void {
  for (const node of nodes(root)) {
    node.select = node.select.map((s): DraftSelect => {
      if (s.alias !== null) return s;
      if (s.aggregate !== null) return s.rowTarget ? { ...s, alias: 'count' } : s;
      return { ...s, alias: jsonPathAlias(s.field.field) };
    });
  }
}

/** An embed whose select (and every nested select) is empty: joined, but not output. */
export function isEmptyEmbed(node: Draft): boolean {
  return node.select.length === 0 && node.children.every(isEmptyEmbed);
}

const selectName = (s: DraftSelect): string => s.alias ?? s.field.field.name;

/** The columns a spread contributes to its parent: its own, its embeds' JSON, and nested spreads' columns (bottom-up). */
export function addSpreadSelects(node: Draft): void {
  for (const child of node.children) addSpreadSelects(child);
  if (!node.isSpread) return;
  const plain = (name: string): SpreadSelectField => ({ name, aggregate: null, aggregateCast: null, alias: null });
  node.spreadSelect = [
    ...node.select.map((s) => plain(selectName(s))),
    ...node.children.flatMap((c) => (c.isSpread ? c.spreadSelect : isEmptyEmbed(c) ? [] : [plain(nodeName(c))])),
  ];
}

/** PGRST123 when aggregates are disabled and any level selects one. */
export function validateAggregates(root: Draft, enabled: boolean): ApiError | null {
  if (enabled) return null;
  for (const node of nodes(root)) if (node.select.some((s) => s.aggregate !== null)) return aggregatesNotAllowed();
  return null;
}

interface Hoisted {
  readonly aggAlias: string;
  readonly name: string;
  readonly aggregate: AggregateFunction;
  readonly aggregateCast: string | null;
  readonly alias: string | null;
}

/**
 * Moves the aggregates of spread embeds up to the nearest level that is not a spread, so that
 * `orders?select=order_date,...customers(joined_date.max())` aggregates over the orders grouped by date.
 */
export function hoistSpreadAggregates(node: Draft): Hoisted[] {
  const fromChildren = node.children.flatMap((c) => hoistSpreadAggregates(c));
  if (!node.isSpread || node.depth === 0) {
    for (const child of node.children) {
      if (!child.isSpread) continue;
      child.spreadSelect = child.spreadSelect.map((f) => {
        const h = fromChildren.find((x) => x.aggAlias === child.aggAlias && x.name === f.name);
        return h === undefined ? f : { ...f, aggregate: h.aggregate, aggregateCast: h.aggregateCast, alias: h.alias };
      });
    }
    return [];
  }
  const own: Hoisted[] = [];
  node.select = node.select.map((s): DraftSelect => {
    if (s.aggregate === null) return s;
    own.push({ aggAlias: node.aggAlias, name: selectName(s), aggregate: s.aggregate, aggregateCast: s.aggregateCast, alias: s.alias });
    return { ...s, aggregate: null, aggregateCast: null };
  });
  return [...own, ...fromChildren.map((h) => ({ ...h, aggAlias: node.aggAlias }))];
}
