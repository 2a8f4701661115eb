// In charge of sorting query parameters into select, filters, logic, order, limit/offset, columns and on_conflict (PostgREST's QueryParams.parse), and of turning grammar failures into PGRST100.

import { queryParamError } from '../errors.ts';
import type { ApiError } from '../errors.ts';
import { opExpr, singleValue } from './filter.ts';
import { logicPath, logicTree } from './logic.ts';
import { orderTerms } from './order.ts';
import { alt, map, pure, runParser } from './parsec.ts';
import type { Parser } from './parsec.ts';
import { parseQueryString } from './query-string.ts';
import { rangesFromParams } from './range.ts';
import type { Range } from './range.ts';
import { fieldForest } from './select.ts';
import { columnList, treePath } from './tokens.ts';
import type { OpExpr, PathFilter, PathLogic, PathOrder, SelectItem } from './types.ts';

export interface QueryParams {
  readonly select: SelectItem[];
  readonly filters: PathFilter[];
  /** Parameters of a GET/HEAD function call that are not filters. */
  readonly rpcArgs: (readonly [string, string])[];
  readonly logic: PathLogic[];
  readonly order: PathOrder[];
  /** Keyed by parameter name with `offset` renamed `limit`: `limit`, `clients.limit`. */
  readonly ranges: Map<string, Range>;
  readonly columns: string[] | null;
  readonly onConflict: string[] | null;
}

class QueryParamFailure extends Error {
  constructor(readonly apiError: ApiError) {
    super(apiError.message);
  }
}

function run<T>(p: Parser<T>, name: string, text: string): T {
  const r = runParser(p, name, text);
  if (!r.ok) throw new QueryParamFailure(queryParamError(r.failure.message, r.failure.details));
  return r.value;
}

const lastSegment = (key: string): string => key.slice(key.lastIndexOf('.') + 1);

const RESERVED = ['select', 'columns', 'on_conflict'];
const RESERVED_EMBEDDABLE = ['order', 'limit', 'offset', 'and', 'or'];

/** A filter value, or for GET calls a plain argument when the value is not an operator expression. */
type FilterValue = { readonly type: 'filter'; readonly expr: OpExpr } | { readonly type: 'arg'; readonly value: string };

const filterValue: Parser<FilterValue> = map(opExpr(singleValue), (expr): FilterValue => ({ type: 'filter', expr }));
const rpcValue = (v: string): Parser<FilterValue> => alt(filterValue, pure<FilterValue>({ type: 'arg', value: v }));

/**
 * The common shapes, read without the combinators (same results, tested against them): a plain column name as
 * key, and `[not.]op.value` with an operator whose value is the rest of the text.
 */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PLAIN_FILTER = /^(not\.)?(neq|eq|gte|gt|lte|lt|ilike|like|imatch|match|cs|cd|ov|sl|sr|nxr|nxl|adj|isdistinct)\.([\s\S]*)$/;

export function fastTreePath(key: string): { path: string[]; field: { name: string; jsonPath: [] } } | null {
  return PLAIN_KEY.test(key) ? { path: [], field: { name: key, jsonPath: [] } } : null;
}

export function fastOpExpr(value: string): OpExpr | null {
  const m = PLAIN_FILTER.exec(value);
  if (!m) return null;
  const operator = m[2]!;
  const rest = m[3]!;
  if (operator === 'isdistinct') return { negated: m[1] !== undefined, operation: { type: 'isdistinct', value: rest } };
  return { negated: m[1] !== undefined, operation: { type: 'compare', operator: operator as 'eq', quantifier: null, value: rest } };
}

export function parseQueryParams(query: string, isRpcRead: boolean): { ok: true; value: QueryParams } | { ok: false; error: ApiError } {
  try {
    return { ok: true, value: parseOrThrow(query, isRpcRead) };
  } catch (e) {
    if (e instanceof QueryParamFailure) return { ok: false, error: e.apiError };
    throw e;
  }
}

function parseOrThrow(query: string, isRpcRead: boolean): QueryParams {
  const pairs = parseQueryString(query);
  const lookup = (name: string): string | null => {
    const found = pairs.find(([k]) => k === name);
    return found === undefined ? null : found[1];
  };
  const nonEmpty = pairs.filter((p): p is readonly [string, string] => p[1] !== null);
  const endingIn = (words: readonly string[]) => ([k]: readonly [string, string]): boolean => words.includes(lastSegment(k));

  const order: PathOrder[] = nonEmpty.filter(endingIn(['order'])).map(([k, v]) => {
    const path = run(treePath, `failed to parse tree path (${k})`, k).path;
    return { path, terms: run(orderTerms, `failed to parse order (${v})`, v) };
  });

  const logic: PathLogic[] = nonEmpty.filter(endingIn(['and', 'or'])).map(([k, v]) => {
    const lp = run(logicPath, `failed to parse logic path (${k})`, k);
    return { path: lp.path, tree: run(logicTree, `failed to parse logic tree (${v})`, lp.operator + v) };
  });

  const columnsText = lookup('columns');
  const columns = columnsText === null ? null : [...new Set(run(columnList, `failed to parse columns parameter (${columnsText})`, columnsText))];

  const selectText = lookup('select') ?? '*';
  const select = run(fieldForest, `failed to parse select parameter (${selectText})`, selectText);

  const filters: PathFilter[] = [];
  const rpcArgs: (readonly [string, string])[] = [];
  for (const [k, v] of nonEmpty) {
    if (RESERVED.includes(k) || RESERVED_EMBEDDABLE.includes(lastSegment(k))) continue;
    const tp = fastTreePath(k) ?? run(treePath, `failed to parse tree path (${k})`, k);
    const fast = fastOpExpr(v);
    const fv: FilterValue = fast
      ? { type: 'filter', expr: fast }
      : run(isRpcRead ? rpcValue(v) : filterValue, `failed to parse filter (${v})`, v);
    if (fv.type === 'arg') rpcArgs.push([tp.field.name, fv.value]);
    else filters.push({ path: tp.path, filter: { field: tp.field, opExpr: fv.expr } });
  }

  const onConflictText = lookup('on_conflict');
  const onConflict = onConflictText === null ? null : run(columnList, `failed to parse on_conflict parameter (${onConflictText})`, onConflictText);

  const limits = nonEmpty.filter(endingIn(['limit']));
  const offsets = nonEmpty.filter(endingIn(['offset'])).map(([k, v]) => [`${k.slice(0, k.length - 'offset'.length)}limit`, v] as const);
  const ranges = rangesFromParams(limits, offsets);

  return { select, filters, rpcArgs, logic, order, ranges, columns, onConflict };
}
