// In charge of the types of the plan stage: a request's names resolved against the schema cache into a ReadPlan tree (PostgREST's Plan/ReadPlan.hs and Plan/Types.hs), the shape the sql stage turns into one statement.

import type { ApiError } from '../errors.ts';
import type { AggregateFunction, JoinType, JsonPath, OpExpr, OrderDirection, OrderNulls, RowRange } from '../parse/types.ts';
import type { QualifiedName, Relationship } from '../schema-cache/types.ts';

// ---------------------------------------------------------------------------
// names as the SQL writes them

/**
 * What columns of a node are qualified with: `"schema"."name"` for a relation read directly (`schema` set), or a
 * bare alias (`"projects_1"`, or the relation's name over a CTE such as `pgrst_source`). Postgres names a missing
 * column after `name` (`column projects.x does not exist`), so the error text follows from it.
 */
export interface SqlQualifier {
  readonly schema: string | null;
  readonly name: string;
}

/** `qualifier.column` */
export interface ColumnRef {
  readonly qualifier: SqlQualifier;
  readonly column: string;
}

/** `child = parent`, one per column pair of the relationship (and of the junction, for many-to-many). */
export interface JoinCondition {
  readonly left: ColumnRef;
  readonly right: ColumnRef;
}

// ---------------------------------------------------------------------------
// fields

/**
 * A column resolved against the schema cache (PostgREST's CoercibleField): its name exactly as the cache has it,
 * the JSON path applied to it, and its type. Only names found in the cache (or in `ReadColumns` given by the
 * caller) ever become one, so the sql stage never quotes user input as an identifier.
 */
export interface CoercibleField {
  readonly name: string;
  readonly jsonPath: JsonPath;
  /** Wrap in `to_jsonb()` before the JSON path: the column is neither `json` nor `jsonb`. */
  readonly toJson: boolean;
  /** The column's type (`Column.dataType`), `''` when the source does not say. */
  readonly type: string;
}

/**
 * What a select item reads:
 * - `column`: a column, maybe with a JSON path;
 * - `star`: `*` (all columns, or the `*` of `count()`);
 * - `row-count`: the legacy `count` without parentheses on a relation that has no `count` column — Postgres reads
 *   `t.count` as `count(t)`, so it counts rows without being an aggregate PostgREST knows about (no GROUP BY,
 *   allowed when aggregates are disabled).
 */
export type SelectTarget =
  | { readonly type: 'column'; readonly field: CoercibleField }
  | { readonly type: 'star' }
  | { readonly type: 'row-count' }
  /** The node's whole row as one value: what a spread's `count()` selects so the parent can count it (PostgREST's cfFullRow). */
  | { readonly type: 'row' };

/** `alias:target::cast.aggregate()::aggregateCast` (PostgREST's CoercibleSelectField). Casts are validated type names. */
export interface CoercibleSelectField {
  readonly target: SelectTarget;
  readonly aggregate: AggregateFunction | null;
  readonly aggregateCast: string | null;
  readonly cast: string | null;
  /** The alias given, or the one PostgREST derives (last JSON key of a path); null: Postgres names the column. */
  readonly alias: string | null;
}

// ---------------------------------------------------------------------------
// filters and logic

export type CoercibleFilter =
  /** `field op value`; values stay text and become bind parameters of unknown type. */
  | { readonly type: 'filter'; readonly field: CoercibleField; readonly opExpr: OpExpr }
  /**
   * `embed=is.null` (`negated: false`: keep rows with no match) or `embed=not.is.null` (keep rows with a match) on
   * an embedded resource; `aggAlias` names that embed's lateral subquery.
   */
  | { readonly type: 'embed-null'; readonly negated: boolean; readonly aggAlias: string };

export type CoercibleLogicTree =
  | { readonly type: 'expr'; readonly negated: boolean; readonly operator: 'and' | 'or'; readonly children: readonly CoercibleLogicTree[] }
  | { readonly type: 'stmt'; readonly filter: CoercibleFilter };

// ---------------------------------------------------------------------------
// order

export type CoercibleOrderTerm =
  | { readonly type: 'field'; readonly field: CoercibleField; readonly direction: OrderDirection | null; readonly nulls: OrderNulls | null }
  /** Order by a column of a to-one embed (`order=clients(name)`): `aggAlias` is that embed's lateral subquery, `field` one of its output columns. */
  | { readonly type: 'relation'; readonly aggAlias: string; readonly field: CoercibleField; readonly direction: OrderDirection | null; readonly nulls: OrderNulls | null };

// ---------------------------------------------------------------------------
// where a node's rows come from

export type ReadSource =
  /** `FROM "schema"."name"` (with the node's alias, if any). */
  | { readonly type: 'relation'; readonly relation: QualifiedName }
  /**
   * `FROM <name> AS "alias"`: rows produced earlier in the same statement by a CTE the caller writes — a mutation's
   * RETURNING or a function call (PostgREST's `pgrst_source`). Only a root node has this source.
   */
  | { readonly type: 'cte'; readonly name: string }
  /**
   * `FROM "schema"."fn"("parent"::"schema"."table") AS "alias"`: a computed relationship's function called with the
   * parent row, `argument` being the name the parent's row goes by (its alias, or its relation's name) and
   * `argumentType` the relation whose row type the function takes (PostgREST casts to it, for rows of a CTE).
   */
  | { readonly type: 'function'; readonly function: QualifiedName; readonly argument: string; readonly argumentType: QualifiedName };

/** The columns of a source that is not a relation of the cache (a function returning `table(...)` or OUT params). */
export interface ReadColumn {
  readonly name: string;
  readonly type: string;
}

// ---------------------------------------------------------------------------
// embedding

/** A column of a spread embed as the parent selects it, with an aggregate hoisted from the spread (PostgREST's SpreadSelectField). */
export interface SpreadSelectField {
  /** The output column of the spread's subquery. */
  readonly name: string;
  readonly aggregate: AggregateFunction | null;
  readonly aggregateCast: string | null;
  readonly alias: string | null;
}

/** How an embedded node hangs from its parent. */
export interface EmbedLink {
  readonly relationship: Relationship;
  /** Conditions of the embed's WHERE that tie it to the parent row (none for a computed relationship: its source does). */
  readonly joinConditions: readonly JoinCondition[];
  /** For many-to-many: the junction, added to the embed's FROM. */
  readonly junction: QualifiedName | null;
  /** The lateral subquery's alias: `<parent table>_<name or alias>_<depth>`. */
  readonly aggAlias: string;
  /**
   * - `object`: to-one, `row_to_json(...)` (null when no row);
   * - `array`: to-many, `json_agg(...)` (`[]` when no row);
   * - `spread`: to-one whose columns are selected into the parent (`...rel(cols)`).
   */
  readonly mode: 'object' | 'array' | 'spread';
  /** The key in the parent's JSON: the alias or the relation name (unused for spreads). */
  readonly selectName: string;
  /** `rel()` and embeds selecting nothing below: joined (for `!inner` and null filters) but not output. */
  readonly empty: boolean;
  /** For `spread`: the columns the parent selects from the spread's subquery, nested spreads flattened. */
  readonly spreadSelect: readonly SpreadSelectField[];
}

// ---------------------------------------------------------------------------
// the tree

/**
 * One node of the read tree (PostgREST's ReadPlan): the root reads the target (a relation, or a CTE of a mutation or
 * function call), each embed reads a related relation through a lateral join. Children are in select order.
 */
export interface ReadPlan {
  readonly source: ReadSource;
  /**
   * The relation of the cache this node's columns and relationships belong to: the source relation, or the table a
   * mutation writes / a function returns rows of. Null when the columns come from `ReadColumn`s.
   */
  readonly relation: QualifiedName | null;
  /** `AS "alias"` in FROM: `<table>_<depth>` for embeds (not for many-to-many), the relation's name over a CTE. */
  readonly fromAlias: string | null;
  readonly qualifier: SqlQualifier;
  /** Resolved select items; empty means `*` when there are no embeds either. */
  readonly select: readonly CoercibleSelectField[];
  /** ANDed; logic trees (`or=`, `and=`) first, then plain filters, as PostgREST orders them. */
  readonly where: readonly CoercibleLogicTree[];
  readonly order: readonly CoercibleOrderTerm[];
  /** `limit`/`offset` of this node (the root's combines Range, limit, offset and max-rows). */
  readonly range: RowRange;
  /** The name the request used for this relation (`clients` in `client:clients(*)`). */
  readonly relName: string;
  readonly relAlias: string | null;
  readonly relHint: string | null;
  readonly joinType: JoinType | null;
  readonly isSpread: boolean;
  /** 0 for the root; used for aliases. */
  readonly depth: number;
  /** Null for the root. */
  readonly link: EmbedLink | null;
  readonly children: readonly ReadPlan[];
}

// ---------------------------------------------------------------------------
// planning options and results

/** Where the root's rows come from, when not the request's target relation read directly. */
export interface ReadRoot {
  readonly source: Exclude<ReadSource, { readonly type: 'function' }>;
  /** The relation whose columns and relationships the root uses (its name is also the root's alias over a CTE). */
  readonly relation: QualifiedName | null;
  /** Columns when `relation` is null or not in the cache (a function's `returns table(...)`). */
  readonly columns?: readonly ReadColumn[];
  /**
   * The root's alias over a CTE, the name its relationships are looked up by and errors use (defaults to the
   * relation's name); `ReadPlan.relation` of the root carries this name.
   */
  readonly name?: string;
}

export interface ReadPlanOptions {
  /** `db-aggregates-enabled` (PostgREST's default: false → PGRST123). */
  readonly aggregatesEnabled?: boolean;
  /** Default: the request's target relation, read directly. */
  readonly root?: ReadRoot;
  /**
   * Put the top-level filters in the root node (reads, calls; default true). A mutation sets false and applies them
   * in its own WHERE; logic trees (`or=`, `and=`) stay on every level either way, as in PostgREST.
   */
  readonly rootFilters?: boolean;
  /** Apply `order` (PostgREST 12 ignores it for mutations; default true). */
  readonly orders?: boolean;
  /** Apply `limit`/`offset` and the root range (not for mutations; default true). */
  readonly ranges?: boolean;
  /** `db-max-rows`, applied to every embedded level as PostgREST does (parse already capped the top level). */
  readonly maxRows?: number;
}

export type ReadPlanResult = { readonly ok: true; readonly plan: ReadPlan } | { readonly ok: false; readonly error: ApiError };
