// In charge of every PostgREST error of the REST engine: its code, HTTP status and wording (PostgREST 12), grouped by the stage that raises it, plus the SQLSTATE → HTTP status mapping.

import { z } from 'zod';

/** Only PGRST201 (ambiguous embedding) carries a list of objects in `details`, as PostgREST does. */
export type ErrorDetails = string | readonly Readonly<Record<string, string>>[] | null;

export interface ApiError {
  readonly code: string;
  readonly message: string;
  readonly details: ErrorDetails;
  readonly hint: string | null;
  readonly status: number;
}

const error = (code: string, status: number, message: string, details: ErrorDetails = null, hint: string | null = null): ApiError => ({
  code,
  message,
  details,
  hint,
  status,
});

// ---------------------------------------------------------------------------
// PGRST0xx: connection

export const dbConnectionError = (details: string | null): ApiError =>
  error('PGRST000', 503, 'Database connection error. Retrying the connection.', details);

export const dbClientError = (details: string | null): ApiError =>
  error('PGRST001', 503, 'Database client error. Retrying the connection.', details);

export const schemaCacheUnavailable = (): ApiError =>
  error('PGRST002', 503, 'Could not query the database for the schema cache. Retrying.');

export const poolAcquisitionTimeout = (): ApiError =>
  error('PGRST003', 504, 'Timed out acquiring connection from connection pool.');

// ---------------------------------------------------------------------------
// PGRST1xx: the request (parse and plan)

/** PGRST100: `message` is the Parsec position (`"failed to parse filter (x)" (line 1, column 1)`), `details` what was expected. */
export const queryParamError = (message: string, details: string): ApiError => error('PGRST100', 400, message, details);

export const invalidRpcMethod = (method: string): ApiError => error('PGRST101', 405, `Cannot use the ${method} method on RPC`);

export const invalidBody = (message: string): ApiError => error('PGRST102', 400, message);

export const invalidJsonBody = (): ApiError => invalidBody('Empty or invalid json');

export type RangeProblem = { readonly type: 'negative-limit' } | { readonly type: 'lower-gt-upper' } | { readonly type: 'out-of-bounds'; readonly offset: number; readonly total: number };

export function invalidRange(problem: RangeProblem): ApiError {
  const details =
    problem.type === 'negative-limit'
      ? 'Limit should be greater than or equal to zero.'
      : problem.type === 'lower-gt-upper'
        ? 'The lower boundary must be lower than or equal to the upper boundary in the Range header.'
        : `An offset of ${problem.offset} was requested, but there are only ${problem.total} rows.`;
  return error('PGRST103', 416, 'Requested range not satisfiable', details);
}

export const invalidPutFilters = (): ApiError =>
  error('PGRST105', 405, "Filters must include all and only primary key columns with 'eq' operators");

export const unacceptableSchema = (schemas: readonly string[]): ApiError =>
  error('PGRST106', 406, `The schema must be one of the following: ${schemas.join(', ')}`);

export const unacceptableMediaTypes = (mediaTypes: readonly string[]): ApiError =>
  error('PGRST107', 406, `None of these media types are available: ${mediaTypes.join(', ')}`);

export const notEmbedded = (resource: string): ApiError =>
  error('PGRST108', 400, `'${resource}' is not an embedded resource in this request`, null, `Verify that '${resource}' is included in the 'select' query parameter.`);

export const gucHeadersError = (): ApiError =>
  error('PGRST111', 500, 'response.headers guc must be a JSON array composed of objects with a single key and a string value');

export const gucStatusError = (): ApiError => error('PGRST112', 500, 'response.status guc must be a valid status code');

export const putLimitNotAllowed = (): ApiError => error('PGRST114', 400, 'limit/offset querystring parameters are not allowed for PUT');

export const putMatchingPkError = (): ApiError => error('PGRST115', 400, 'Payload values do not match URL in primary key column(s)');

export const singularityError = (rows: number): ApiError =>
  error('PGRST116', 406, 'Cannot coerce the result to a single JSON object', `The result contains ${rows} rows`);

export const unsupportedMethod = (method: string): ApiError => error('PGRST117', 405, `Unsupported HTTP method: ${method}`);

export const relatedOrderNotToOne = (origin: string, target: string): ApiError =>
  error('PGRST118', 400, `A related order on '${target}' is not possible`, `'${origin}' and '${target}' do not form a many-to-one or one-to-one relationship`);

export const spreadNotToOne = (origin: string, target: string): ApiError =>
  error('PGRST119', 400, `A spread operation on '${target}' is not possible`, `'${origin}' and '${target}' do not form a many-to-one or one-to-one relationship`);

export const unacceptableFilter = (target: string): ApiError =>
  error('PGRST120', 400, `Bad operator on the '${target}' embedded resource`, 'Only is null or not is null filters are allowed on embedded resources');

export type RaiseProblem = { readonly type: 'message'; readonly value: string } | { readonly type: 'detail'; readonly value: string } | { readonly type: 'no-detail' };

export function raisePgrstParseError(problem: RaiseProblem): ApiError {
  const details =
    problem.type === 'message'
      ? `Invalid JSON value for MESSAGE: '${problem.value}'`
      : problem.type === 'detail'
        ? `Invalid JSON value for DETAIL: '${problem.value}'`
        : 'DETAIL is missing in the RAISE statement';
  const hint =
    problem.type === 'message'
      ? "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'."
      : "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'.";
  return error('PGRST121', 500, `Could not parse JSON in the "RAISE SQLSTATE 'PGRST'" error`, details, hint);
}

export const invalidPreferences = (preferences: readonly string[]): ApiError =>
  error('PGRST122', 400, 'Invalid preferences given with handling=strict', `Invalid preferences: ${preferences.join(', ')}`);

export const aggregatesNotAllowed = (): ApiError => error('PGRST123', 400, 'Use of aggregate functions is not allowed');

export const maxAffectedViolation = (rows: number): ApiError =>
  error('PGRST124', 400, 'Query result exceeds max-affected preference constraint', `The query affects ${rows} rows`);

/**
 * PostgREST 12 answers a path such as `/a/b` with 404 and an empty JSON object; PostgREST 13 gave it this code and
 * message (PostgREST issue #3906), which we use so that every error has the same shape.
 */
export const invalidResourcePath = (): ApiError => error('PGRST125', 404, 'Invalid path specified in request URL');

// ---------------------------------------------------------------------------
// PGRST2xx: the schema cache (plan)

export interface NoRelationship {
  readonly parent: string;
  readonly child: string;
  readonly hint: string | null;
  readonly schema: string;
  /** e.g. `"Perhaps you meant 'films' instead of 'film'."`, from a fuzzy search by the caller. */
  readonly suggestion: string | null;
}

export const noRelationship = (r: NoRelationship): ApiError =>
  error(
    'PGRST200',
    400,
    `Could not find a relationship between '${r.parent}' and '${r.child}' in the schema cache`,
    `Searched for a foreign key relationship between '${r.parent}' and '${r.child}${r.hint === null ? '' : `' using the hint '${r.hint}`}' in the schema '${r.schema}', but no matches were found.`,
    r.suggestion,
  );

export interface AmbiguousCandidate {
  readonly cardinality: 'many-to-many' | 'many-to-one' | 'one-to-one' | 'one-to-many';
  readonly embedding: string;
  readonly relationship: string;
  /** `'table!constraint'` as it would be written in `select`. */
  readonly hint: string;
}

/** `null` candidates are computed relationships: `{}` in the details and an empty hint, as PostgREST 12 writes them. */
export const ambiguousRelationship = (parent: string, child: string, candidates: readonly (AmbiguousCandidate | null)[]): ApiError =>
  error(
    'PGRST201',
    300,
    `Could not embed because more than one relationship was found for '${parent}' and '${child}'`,
    candidates.map((c): Readonly<Record<string, string>> => (c === null ? {} : { cardinality: c.cardinality, embedding: c.embedding, relationship: c.relationship })),
    `Try changing '${child}' to one of the following: ${candidates.map((c) => c?.hint ?? '').join(', ')}. Find the desired relationship in the 'details' key.`,
  );

export interface NoRoutine {
  readonly schema: string;
  readonly name: string;
  readonly argumentKeys: readonly string[];
  /** The request body's media type, for a POST call. */
  readonly contentType: string;
  readonly isInvokePost: boolean;
  readonly suggestion: string | null;
}

export function noRoutine(r: NoRoutine): ApiError {
  const func = `${r.schema}.${r.name}`;
  const singleUnnamed: Readonly<Record<string, string>> = {
    'text/plain': ' with a single unnamed text parameter',
    'text/xml': ' with a single unnamed xml parameter',
    'application/octet-stream': ' with a single unnamed bytea parameter',
  };
  const onlySingleParam = r.isInvokePost && singleUnnamed[r.contentType] !== undefined;
  const keys = r.argumentKeys.join(', ');
  const withoutParams = r.argumentKeys.length === 0;
  const message = `Could not find the function ${func}${onlySingleParam ? '' : withoutParams ? ' without parameters' : `(${keys})`} in the schema cache`;
  const paramDetail = withoutParams ? ' without parameters' : ` with parameter${r.argumentKeys.length > 1 ? 's' : ''} ${keys}`;
  const detailTail = onlySingleParam
    ? (singleUnnamed[r.contentType] ?? '')
    : r.isInvokePost && r.contentType === 'application/json'
      ? `${paramDetail} or with a single unnamed json/jsonb parameter`
      : paramDetail;
  return error('PGRST202', 404, message, `Searched for the function ${func}${detailTail}, but no matches were found in the schema cache.`, onlySingleParam ? null : r.suggestion);
}

/** `signatures` like `api.fn(a => integer, b => text)`. */
export const ambiguousRoutine = (signatures: readonly string[]): ApiError =>
  error(
    'PGRST203',
    300,
    `Could not choose the best candidate function between: ${signatures.join(', ')}`,
    null,
    'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
  );

export const columnNotFound = (relation: string, column: string): ApiError =>
  error('PGRST204', 400, `Could not find the '${column}' column of '${relation}' in the schema cache`);

/** PostgREST 13's answer for an unknown table (PostgREST 12 let PostgreSQL answer 42P01, also 404). */
export const tableNotFound = (schema: string, name: string, suggestion: string | null): ApiError =>
  error('PGRST205', 404, `Could not find the table '${schema}.${name}' in the schema cache`, null, suggestion);

// ---------------------------------------------------------------------------
// PGRST3xx: JWT (the gateway's key check)

export const jwtSecretMissing = (): ApiError => error('PGRST300', 500, 'Server lacks JWT secret');

/** e.g. `JWT expired`, `JWSError JWSInvalidSignature`. */
export const jwtInvalid = (message: string): ApiError => error('PGRST301', 401, message);

export const jwtRequired = (): ApiError => error('PGRST302', 401, 'Anonymous access is disabled');

// ---------------------------------------------------------------------------
// errors raised by PostgreSQL (execute)

/** The HTTP status PostgREST 12 gives a PostgreSQL error, by SQLSTATE. `PGRST` raises carry their own status (see `parseRaisePgrst`). */
export function statusForSqlState(sqlState: string, context: { readonly authenticated: boolean; readonly message?: string }): number {
  const message = context.message ?? '';
  const exact: Readonly<Record<string, number>> = {
    '23503': 409, // foreign_key_violation
    '23505': 409, // unique_violation
    '25006': 405, // read_only_sql_transaction
    '53400': 500, // configuration_limit_exceeded
    '57P01': 503, // admin_shutdown
    P0001: 400, // raise_exception
    '42P01': 404, // undefined_table
    '42P17': 500, // invalid_object_definition (infinite recursion)
  };
  if (sqlState === '21000') return message.endsWith('requires a WHERE clause') ? 400 : 500; // pg-safeupdate vs. cardinality
  if (sqlState === '42883') return message.startsWith('function xmlagg(') ? 406 : 404;
  if (sqlState === '42501') return context.authenticated ? 403 : 401;
  // A JWT naming a role that does not exist (PostgREST#3601).
  if (sqlState === '22023' && message.startsWith('role') && message.endsWith('does not exist')) return 401;
  const known = exact[sqlState];
  if (known !== undefined) return known;
  if (sqlState.startsWith('PT')) {
    const n = sqlState.slice(2);
    return /^[0-9]+$/.test(n) ? Number(n) : 500;
  }
  const byClass: Readonly<Record<string, number>> = {
    '08': 503, '09': 500, '0L': 403, '0P': 403, '25': 500, '28': 403, '2D': 500, '38': 500, '39': 500, '3B': 500,
    '40': 500, '53': 503, '54': 500, '55': 500, '57': 500, '58': 500, F0: 500, HV: 500, P0: 500, XX: 500,
  };
  return byClass[sqlState.slice(0, 2)] ?? 400;
}

const raiseMessageSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.string().nullish(),
  hint: z.string().nullish(),
});

const raiseDetailSchema = z.object({
  status: z.number().int(),
  status_text: z.string().nullish(),
  headers: z.record(z.string(), z.string()),
});

export interface RaisedPgrst {
  readonly error: ApiError;
  readonly statusText: string | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** Reads `RAISE SQLSTATE 'PGRST' USING message = '{json}', detail = '{json}'` into the response it asks for, or PGRST121. */
export function parseRaisePgrst(message: string, detail: string | null): { ok: true; value: RaisedPgrst } | { ok: false; error: ApiError } {
  const json = (text: string): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  };
  const m = raiseMessageSchema.safeParse(json(message));
  if (!m.success) return { ok: false, error: raisePgrstParseError({ type: 'message', value: message }) };
  if (detail === null) return { ok: false, error: raisePgrstParseError({ type: 'no-detail' }) };
  const d = raiseDetailSchema.safeParse(json(detail));
  if (!d.success) return { ok: false, error: raisePgrstParseError({ type: 'detail', value: detail }) };
  return {
    ok: true,
    value: {
      error: { code: m.data.code, message: m.data.message, details: m.data.details ?? null, hint: m.data.hint ?? null, status: d.data.status },
      statusText: d.data.status_text ?? null,
      headers: d.data.headers,
    },
  };
}
