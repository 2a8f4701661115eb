// In charge of the types of the parse stage: what a request asks for (ApiRequest), before any name is resolved against the schema cache.

import type { ApiError } from '../errors.ts';

// ---------------------------------------------------------------------------
// fields and JSON paths

/** `->'key'` or `->0`. Indexes keep PostgREST's signed text form (`+1`, `-2`) so no precision is lost. */
export type JsonOperand = { readonly type: 'key'; readonly value: string } | { readonly type: 'index'; readonly value: string };

export interface JsonOperation {
  readonly arrow: '->' | '->>';
  readonly operand: JsonOperand;
}

export type JsonPath = readonly JsonOperation[];

/** A column (or `*`), optionally followed by a JSON path: `data->a->>b`. */
export interface Field {
  readonly name: string;
  readonly jsonPath: JsonPath;
}

/** The chain of embedded resources a parameter applies to: `[]` for the top level, `['clients', 'projects']` for `clients.projects.x`. */
export type EmbedPath = readonly string[];

// ---------------------------------------------------------------------------
// select

export type AggregateFunction = 'sum' | 'avg' | 'max' | 'min' | 'count';
export type JoinType = 'inner' | 'left';

/** `alias:col->path::cast`, `col.sum()::cast`, `count()`; `count()` alone selects the field `*` with the `count` aggregate. */
export interface SelectField {
  readonly type: 'field';
  readonly field: Field;
  readonly alias: string | null;
  readonly cast: string | null;
  readonly aggregate: AggregateFunction | null;
  readonly aggregateCast: string | null;
}

/** `alias:relation!hint!inner(...)`. */
export interface SelectRelation {
  readonly type: 'relation';
  readonly relation: string;
  readonly alias: string | null;
  readonly hint: string | null;
  readonly joinType: JoinType | null;
  readonly select: readonly SelectItem[];
}

/** `...relation!hint!inner(...)`: the embedded columns are spread into the parent. */
export interface SelectSpread {
  readonly type: 'spread';
  readonly relation: string;
  readonly hint: string | null;
  readonly joinType: JoinType | null;
  readonly select: readonly SelectItem[];
}

export type SelectItem = SelectField | SelectRelation | SelectSpread;

// ---------------------------------------------------------------------------
// filters and logic

/** Operators that accept the `(any)` / `(all)` modifiers. */
export type QuantifiableOperator = 'eq' | 'gte' | 'gt' | 'lte' | 'lt' | 'like' | 'ilike' | 'match' | 'imatch';
export type SimpleOperator = 'neq' | 'cs' | 'cd' | 'ov' | 'sl' | 'sr' | 'nxr' | 'nxl' | 'adj';
export type FtsOperator = 'fts' | 'plfts' | 'phfts' | 'wfts';
export type IsValue = 'null' | 'not_null' | 'true' | 'false' | 'unknown';

export type Operation =
  | { readonly type: 'compare'; readonly operator: SimpleOperator | QuantifiableOperator; readonly quantifier: 'any' | 'all' | null; readonly value: string }
  | { readonly type: 'in'; readonly values: readonly string[] }
  | { readonly type: 'is'; readonly value: IsValue }
  | { readonly type: 'isdistinct'; readonly value: string }
  | { readonly type: 'fts'; readonly operator: FtsOperator; readonly language: string | null; readonly value: string };

export interface OpExpr {
  /** `not.` prefix */
  readonly negated: boolean;
  readonly operation: Operation;
}

export interface Filter {
  readonly field: Field;
  readonly opExpr: OpExpr;
}

/** A filter and the embedded resource it applies to (`clients.name=eq.x` → path `['clients']`). */
export interface PathFilter {
  readonly path: EmbedPath;
  readonly filter: Filter;
}

export type LogicTree =
  | { readonly type: 'expr'; readonly negated: boolean; readonly operator: 'and' | 'or'; readonly children: readonly LogicTree[] }
  | { readonly type: 'stmt'; readonly filter: Filter };

export interface PathLogic {
  readonly path: EmbedPath;
  readonly tree: LogicTree;
}

// ---------------------------------------------------------------------------
// order and ranges

export type OrderDirection = 'asc' | 'desc';
export type OrderNulls = 'nullsfirst' | 'nullslast';

/** `col->x.desc.nullslast`, or a related order on a to-one embed: `clients(name).asc`. */
export type OrderTerm =
  | { readonly type: 'field'; readonly field: Field; readonly direction: OrderDirection | null; readonly nulls: OrderNulls | null }
  | { readonly type: 'relation'; readonly relation: string; readonly field: Field; readonly direction: OrderDirection | null; readonly nulls: OrderNulls | null };

export interface PathOrder {
  readonly path: EmbedPath;
  readonly terms: readonly OrderTerm[];
}

/** Rows to skip and to return; `limit: null` means unbounded, `limit: 0` asks for no rows. */
export interface RowRange {
  readonly offset: number;
  readonly limit: number | null;
}

export interface PathRange {
  readonly path: EmbedPath;
  readonly range: RowRange;
}

// ---------------------------------------------------------------------------
// preferences and media types

export interface Preferences {
  readonly resolution: 'merge-duplicates' | 'ignore-duplicates' | null;
  readonly return: 'minimal' | 'headers-only' | 'representation' | null;
  readonly params: 'single-object' | null;
  readonly count: 'exact' | 'planned' | 'estimated' | null;
  /** Only set when the server allows clients to override the transaction end. */
  readonly tx: 'commit' | 'rollback' | null;
  readonly missing: 'default' | 'null' | null;
  readonly handling: 'strict' | 'lenient' | null;
  readonly timezone: string | null;
  readonly maxAffected: number | null;
  /** Preferences that were not understood, as sent (they make `handling=strict` fail). */
  readonly invalid: readonly string[];
}

/** The representation chosen for the response body. */
export type ResponseMedia =
  | { readonly type: 'json' }
  | { readonly type: 'array-stripped' }
  | { readonly type: 'singular'; readonly nullsStripped: boolean }
  | { readonly type: 'csv' }
  | { readonly type: 'openapi' };

// ---------------------------------------------------------------------------
// target, action and payload

export type Target =
  | { readonly kind: 'relation'; readonly schema: string; readonly name: string }
  | { readonly kind: 'routine'; readonly schema: string; readonly name: string }
  | { readonly kind: 'openapi' };

export type Action =
  /** GET/HEAD on a table, view or the root (OpenAPI). */
  | { readonly type: 'read'; readonly headersOnly: boolean }
  | { readonly type: 'insert' }
  | { readonly type: 'update' }
  | { readonly type: 'delete' }
  /** PUT: the plan must check that the filters are `eq` on every primary-key column (PGRST105). */
  | { readonly type: 'upsert-put' }
  /** GET/HEAD (`read`) or POST (`post`) on /rpc/<fn>. */
  | { readonly type: 'call'; readonly invoke: 'read' | 'post'; readonly headersOnly: boolean }
  /** OPTIONS */
  | { readonly type: 'info' };

/**
 * The request body, as PostgREST keeps it: JSON text for the database to parse (so numbers keep their precision)
 * plus the keys found in it.
 */
export type Payload =
  /** A JSON object or an array of objects sharing the same keys (CSV and url-encoded bodies of mutations become this too). */
  | { readonly type: 'json'; readonly raw: string; readonly keys: readonly string[] }
  /** JSON sent along `?columns=`: not inspected here, the database reads only the named columns. */
  | { readonly type: 'raw-json'; readonly raw: string }
  /** `application/x-www-form-urlencoded` arguments of a function call. */
  | { readonly type: 'url-encoded'; readonly params: readonly (readonly [string, string])[]; readonly keys: readonly string[] }
  /** `text/plain`, `text/xml` or `application/octet-stream` body of a function call, for a single unnamed parameter. */
  | { readonly type: 'raw'; readonly mediaType: string; readonly body: Uint8Array };

export interface ApiRequest {
  /** The HTTP method as received. */
  readonly method: string;
  readonly target: Target;
  readonly action: Action;
  /** The schema from `Accept-Profile`/`Content-Profile`, or the first exposed schema. */
  readonly schema: string;
  /** True when the schema came from a profile header or several schemas are exposed (then `Content-Profile` is echoed). */
  readonly negotiatedByProfile: boolean;
  readonly select: readonly SelectItem[];
  /** Every filter; `path: []` ones apply to the top-level resource. */
  readonly filters: readonly PathFilter[];
  readonly logic: readonly PathLogic[];
  readonly order: readonly PathOrder[];
  /** `limit`/`offset` per embed path; the top-level entry (path `[]`) already combines the `Range` header. */
  readonly ranges: readonly PathRange[];
  /** The rows the top level asks for, after `Range`, `limit`, `offset` and (for reads and calls) `maxRows`. */
  readonly range: RowRange;
  /** `?columns=` as a set, or null. */
  readonly columns: readonly string[] | null;
  /** `?on_conflict=` */
  readonly onConflict: readonly string[] | null;
  /** Arguments of a GET/HEAD function call: query parameters whose value is not a filter expression. */
  readonly rpcArgs: readonly (readonly [string, string])[];
  readonly payload: Payload | null;
  /** The columns a mutation or call writes: `?columns=` for raw JSON, otherwise the payload's keys. */
  readonly payloadColumns: readonly string[];
  readonly preferences: Preferences;
  readonly media: ResponseMedia;
  /** The request body's media type (`application/json` when absent). */
  readonly contentType: string;
  /** Request headers with lower-case names, without `cookie` (for the `request.headers` setting). */
  readonly headers: Readonly<Record<string, string>>;
  readonly cookies: Readonly<Record<string, string>>;
}

export interface ParseInput {
  readonly method: string;
  /** The URL whose path is relative to `/rest/v1` (e.g. `/todos?select=id`), or a full URL of such a path. */
  readonly url: URL | string;
  readonly headers: Headers;
  readonly body?: Uint8Array | string | null;
}

export interface ParseOptions {
  /** Exposed schemas; the first is the default. */
  readonly schemas: readonly string[];
  /** `db-max-rows`: caps the rows of reads and calls. */
  readonly maxRows?: number;
  /** Time zone names the database knows (`pg_timezone_names`); when absent every `timezone=` preference is accepted. */
  readonly timezones?: ReadonlySet<string>;
  /** `db-tx-end = commit-allow-override` / `rollback-allow-override`: honour `Prefer: tx=`. */
  readonly allowTxOverride?: boolean;
}

export type ParseResult = { readonly ok: true; readonly request: ApiRequest } | { readonly ok: false; readonly error: ApiError };
