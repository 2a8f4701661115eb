// In charge of the types of a planned write (PostgREST's MutatePlan plus what MutateReadPlan keeps beside it): the INSERT, UPDATE or DELETE resolved against the schema cache, and the read tree that shapes its RETURNING rows.

import type { ResponseMedia, RowRange } from '../parse/types.ts';
import type { QualifiedName } from '../schema-cache/types.ts';
import type { CoercibleLogicTree, CoercibleOrderTerm, ReadPlan } from './types.ts';

/** The CTE a mutation's RETURNING rows (or a function's result) are named by, as in PostgREST. */
export const SOURCE_CTE = 'pgrst_source';

/** A column a request writes: its name and nominal type as the cache has them, and its default when `missing=default` applies. */
export interface WriteColumn {
  readonly name: string;
  /** `Column.nominalType`: the type the payload's JSON value is read as (`character varying(20)`, `public.mood`). */
  readonly type: string;
  /** The column's default expression (catalog text), or null. */
  readonly defaultValue: string | null;
}

/** The request body, passed to the statement as one bind parameter. */
export interface JsonBody {
  /** JSON text, as received (numbers keep their precision). */
  readonly raw: string;
  /** The body is an object (one row), not an array (`json_to_record` rather than `json_to_recordset`). */
  readonly isObject: boolean;
}

export interface OnConflict {
  readonly resolution: 'merge-duplicates' | 'ignore-duplicates';
  /** `on_conflict=` columns, else the primary key; never empty. */
  readonly columns: readonly string[];
}

/** POST (and, with `putConditions`, PUT): `INSERT … SELECT … FROM json_to_record[set]($1) [ON CONFLICT …]`. */
export interface InsertMutation {
  readonly type: 'insert';
  readonly relation: QualifiedName;
  /** The payload's keys (or `?columns=`), sorted as PostgREST's set of columns; may be empty (`{}` inserts defaults). */
  readonly columns: readonly WriteColumn[];
  readonly body: JsonBody;
  readonly onConflict: OnConflict | null;
  /** PUT only: the URL's `pk=eq.value` filters, checked against the payload row (`pgrst_body`). */
  readonly putConditions: readonly CoercibleLogicTree[];
  /** `Prefer: missing=default`. */
  readonly applyDefaults: boolean;
  /** Count inserted rows in the `pgrst.inserted` setting (merge-duplicates POST and PUT answer 200 or 201 by it). */
  readonly countInserted: boolean;
}

/** PATCH: `UPDATE … SET col = pgrst_body.col … WHERE …`, or a no-op `SELECT … WHERE false` for an empty payload. */
export interface UpdateMutation {
  readonly type: 'update';
  readonly relation: QualifiedName;
  readonly columns: readonly WriteColumn[];
  readonly body: JsonBody;
  readonly where: readonly CoercibleLogicTree[];
  /** `limit`/`offset` (a limited update when not all rows) and the `order` that picks the rows. */
  readonly range: RowRange;
  readonly order: readonly CoercibleOrderTerm[];
  readonly applyDefaults: boolean;
}

export interface DeleteMutation {
  readonly type: 'delete';
  readonly relation: QualifiedName;
  readonly where: readonly CoercibleLogicTree[];
  readonly range: RowRange;
  readonly order: readonly CoercibleOrderTerm[];
}

export type Mutation = InsertMutation | UpdateMutation | DeleteMutation;

/** Which request this plan answers: POST, PUT, PATCH, DELETE. */
export type MutationKind = 'insert' | 'upsert-put' | 'update' | 'delete';

export interface MutatePlan {
  readonly kind: MutationKind;
  readonly mutation: Mutation;
  /** The read over `pgrst_source` (the RETURNING rows): select, embeds and embedded filters of the request. */
  readonly read: ReadPlan;
  /** Columns of the RETURNING clause: `*`, the columns the read and Location need, or none (`RETURNING 1`). */
  readonly returning: '*' | readonly string[];
  /** `Prefer: return=`; null (absent) answers like `minimal`. */
  readonly returnPreference: 'minimal' | 'headers-only' | 'representation' | null;
  /** The target's primary key (Location header, PUT). */
  readonly primaryKey: readonly string[];
  readonly media: ResponseMedia;
}
