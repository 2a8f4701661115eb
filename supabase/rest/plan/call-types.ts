// In charge of the types of a planned function call (PostgREST's CallPlan plus what CallReadPlan keeps beside it): the routine chosen, how its arguments reach it, what it returns, and the read tree over its result.

import type { ResponseMedia } from '../parse/types.ts';
import type { QualifiedName, RoutineParam } from '../schema-cache/types.ts';
import type { JsonBody } from './mutate-types.ts';
import type { ReadPlan } from './types.ts';

/** The column a scalar (or set of scalars) result is read from, as in PostgREST. */
export const SCALAR_COLUMN = 'pgrst_scalar';

export type CallArgs =
  /** `fn()`: no argument given (parameters with defaults take them). */
  | { readonly type: 'none' }
  /**
   * `fn("a" := pgrst_body."a", VARIADIC "v" := pgrst_body."v")`: the arguments as one JSON object (the POST body, or
   * built from query/form parameters) read with json_to_record into each parameter's type.
   */
  | { readonly type: 'named'; readonly body: JsonBody; readonly params: readonly RoutineParam[] }
  /** `fn($1::type)`: the whole body as the single unnamed parameter, or with `Prefer: params=single-object`. */
  | { readonly type: 'positional'; readonly value: string; readonly paramType: string };

/** How PostgREST shapes the body: a JSON value, an object, or an array of either. */
export type CallResult = 'void' | 'scalar' | 'setof-scalar' | 'composite' | 'setof-composite';

export interface CallPlan {
  readonly routine: QualifiedName;
  /** The function's own `SET statement_timeout …` (and cost limit), applied to the whole transaction as PostgREST 12.2 hoists them. */
  readonly hoistedSettings: readonly (readonly [string, string])[];
  /** The function's `SET default_transaction_isolation`, which starts the transaction at that level. */
  readonly isolationLevel: string | null;
  readonly args: CallArgs;
  readonly result: CallResult;
  /** The read over `pgrst_source` (the function's rows): select, filters, order, range, embeds. */
  readonly read: ReadPlan;
  /** GET/HEAD, and POST to a stable or immutable function, run in a read-only transaction (a write then fails with 25006 → 405). */
  readonly readOnly: boolean;
  readonly media: ResponseMedia;
  /** `count=exact|estimated`: the statement counts the rows the filters keep. */
  readonly count: boolean;
  /** HEAD: no body is built. */
  readonly headersOnly: boolean;
}
