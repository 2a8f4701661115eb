// In charge of the read tree while it is being planned: a mutable node per level of `select` (PostgREST's initReadRequest) and finding a node by embed path (updateNode, PGRST108).

import { notEmbedded } from '../errors.ts';
import type { ApiError } from '../errors.ts';
import type { EmbedPath, Filter, JoinType, LogicTree, OrderTerm, RowRange, SelectField, SelectItem } from '../parse/types.ts';
import type { QualifiedName, Relation, Relationship } from '../schema-cache/types.ts';
import type { JoinCondition, ReadColumn, ReadSource, SpreadSelectField, SqlQualifier } from './types.ts';

/** A where tree before column resolution; `embed-null` leaves are the `rel=is.null` filters addNullEmbedFilters recognised. */
export type DraftLogic =
  | { readonly type: 'expr'; readonly negated: boolean; readonly operator: 'and' | 'or'; readonly children: readonly DraftLogic[] }
  | { readonly type: 'stmt'; readonly filter: Filter }
  | { readonly type: 'embed-null'; readonly negated: boolean; readonly child: Draft };

export const fromLogicTree = (tree: LogicTree): DraftLogic =>
  tree.type === 'stmt' ? tree : { type: 'expr', negated: tree.negated, operator: tree.operator, children: tree.children.map(fromLogicTree) };

/** A select item before column resolution; `rowTarget` marks a spread's `count()` that selects the whole row. */
export interface DraftSelect {
  readonly field: SelectField;
  readonly alias: string | null;
  readonly aggregate: SelectField['aggregate'];
  readonly aggregateCast: string | null;
  readonly rowTarget: boolean;
}

export type DraftOrder =
  | { readonly type: 'field'; readonly term: OrderTerm & { type: 'field' } }
  | { readonly type: 'relation'; readonly term: OrderTerm & { type: 'relation' }; readonly child: Draft };

export interface Draft {
  readonly relName: string;
  readonly relAlias: string | null;
  readonly relHint: string | null;
  readonly joinType: JoinType | null;
  readonly isSpread: boolean;
  readonly depth: number;
  select: DraftSelect[];
  where: DraftLogic[];
  order: readonly OrderTerm[] | null;
  resolvedOrder: DraftOrder[];
  range: RowRange;
  readonly children: Draft[];
  // known once the relation (root) or relationship (embeds) is resolved
  source: ReadSource | null;
  relation: Relation | null;
  relationName: QualifiedName | null;
  columns: readonly ReadColumn[] | null;
  fromAlias: string | null;
  qualifier: SqlQualifier | null;
  relationship: Relationship | null;
  joinConditions: JoinCondition[];
  junction: QualifiedName | null;
  aggAlias: string;
  spreadSelect: SpreadSelectField[];
}

export const ALL_ROWS: RowRange = { offset: 0, limit: null };

function emptyDraft(relName: string, depth: number, extra: Partial<Pick<Draft, 'relAlias' | 'relHint' | 'joinType' | 'isSpread'>> = {}): Draft {
  return {
    relName,
    relAlias: extra.relAlias ?? null,
    relHint: extra.relHint ?? null,
    joinType: extra.joinType ?? null,
    isSpread: extra.isSpread ?? false,
    depth,
    select: [],
    where: [],
    order: null,
    resolvedOrder: [],
    range: ALL_ROWS,
    children: [],
    source: null,
    relation: null,
    relationName: null,
    columns: null,
    fromAlias: null,
    qualifier: null,
    relationship: null,
    joinConditions: [],
    junction: null,
    aggAlias: '',
    spreadSelect: [],
  };
}

function addItems(node: Draft, items: readonly SelectItem[]): void {
  for (const item of items) {
    if (item.type === 'field') {
      node.select.push({ field: item, alias: item.alias, aggregate: item.aggregate, aggregateCast: item.aggregateCast, rowTarget: false });
      continue;
    }
    const child = emptyDraft(item.relation, node.depth + 1, {
      relAlias: item.type === 'relation' ? item.alias : null,
      relHint: item.hint,
      joinType: item.joinType,
      isSpread: item.type === 'spread',
    });
    addItems(child, item.select);
    node.children.push(child);
  }
}

/** The tree of nodes the select asks for; the root is named `rootName`. */
export function buildDraft(rootName: string, select: readonly SelectItem[]): Draft {
  const root = emptyDraft(rootName, 0);
  addItems(root, select);
  return root;
}

/** The node an embed path designates (each step by relation name or alias), or PGRST108 for the first step not embedded. */
export function findNode(root: Draft, path: EmbedPath): { ok: true; node: Draft } | { ok: false; error: ApiError } {
  let node = root;
  for (const step of path) {
    const next = node.children.find((c) => c.relName === step || c.relAlias === step);
    if (next === undefined) return { ok: false, error: notEmbedded(step) };
    node = next;
  }
  return { ok: true, node };
}

/** Pre-order walk. */
export function* nodes(root: Draft): Generator<Draft> {
  yield root;
  for (const c of root.children) yield* nodes(c);
}

/** The name a node is known by in its parent: its alias, else the relation name used. */
export const nodeName = (node: Draft): string => node.relAlias ?? node.relName;
