// In charge of WHERE conditions (PostgREST's pgFmtFilter, pgFmtLogicTree, pgFmtJoinCondition): every operator of the URL grammar over a column, with each value a bind parameter of unknown type.

import type { Operation } from '../parse/types.ts';
import type { CoercibleFilter, CoercibleLogicTree, JoinCondition, SqlQualifier } from '../plan/types.ts';
import { cat, column, ident, join, kw, param, sql } from './fragments.ts';
import type { Fragment } from './fragments.ts';
import { field } from './select.ts';

const OPERATORS: Readonly<Record<string, string>> = {
  eq: '=', gte: '>=', gt: '>', lte: '<=', lt: '<', like: 'like', ilike: 'ilike', match: '~', imatch: '~*',
  neq: '<>', cs: '@>', cd: '<@', ov: '&&', sl: '<<', sr: '>>', nxr: '&<', nxl: '&>', adj: '-|-',
};

const FTS: Readonly<Record<string, string>> = { fts: 'to_tsquery', plfts: 'plainto_tsquery', phfts: 'phraseto_tsquery', wfts: 'websearch_to_tsquery' };

const IS: Readonly<Record<string, string>> = { null: 'NULL', not_null: 'NOT NULL', true: 'TRUE', false: 'FALSE', unknown: 'UNKNOWN' };

/**
 * A Postgres array literal of the values (`{"a","b \"c\""}`), sent as one parameter of unknown type so that
 * `= ANY($n)` takes the column's array type; NUL characters are dropped as PostgREST does.
 */
export function arrayLiteral(values: readonly string[]): string {
  const quote = (v: string): string => `"${v.replaceAll('\u0000', '').replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  return `{${values.map(quote).join(',')}}`;
}

function operation(op: Operation): Fragment {
  switch (op.type) {
    case 'compare': {
      const starred = op.operator === 'like' || op.operator === 'ilike' ? op.value.replaceAll('*', '%') : op.value;
      const value = param(starred);
      const quantified = op.quantifier === 'any' ? sql`ANY(${value})` : op.quantifier === 'all' ? sql`ALL(${value})` : value;
      return sql` ${kw(OPERATORS[op.operator] ?? '=')} ${quantified}`;
    }
    case 'in':
      // `in.()` is an empty list: nothing matches
      return op.values.length === 1 && op.values[0] === '' ? kw(` = ANY('{}')`) : sql` = ANY (${param(arrayLiteral(op.values))})`;
    case 'is':
      return kw(` IS ${IS[op.value] ?? 'NULL'}`);
    case 'isdistinct':
      return sql` IS DISTINCT FROM ${param(op.value)}`;
    case 'fts': {
      const fn = kw(FTS[op.operator] ?? 'to_tsquery');
      return op.language === null ? sql` @@ ${fn}(${param(op.value)})` : sql` @@ ${fn}(${param(op.language)}::regconfig, ${param(op.value)})`;
    }
  }
}

export function filter(q: SqlQualifier, f: CoercibleFilter): Fragment {
  if (f.type === 'embed-null') return sql`${ident(f.aggAlias)} IS ${kw(f.negated ? '' : 'NOT ')}DISTINCT FROM NULL`;
  return cat(kw(f.opExpr.negated ? 'NOT ' : ''), field(q, f.field), operation(f.opExpr.operation));
}

/** `NOT (a OR b)`; `leaf` formats the filters (the count query formats embed null filters as EXISTS). */
export function logicTree(tree: CoercibleLogicTree, leaf: (f: CoercibleFilter) => Fragment): Fragment {
  if (tree.type === 'stmt') return leaf(tree.filter);
  const children = tree.children.map((c) => logicTree(c, leaf));
  return sql`${kw(tree.negated ? 'NOT ' : '')}(${join(children, tree.operator === 'and' ? ' AND ' : ' OR ')})`;
}

export const joinCondition = (c: JoinCondition): Fragment =>
  sql`${column(c.left.qualifier, c.left.column)} = ${column(c.right.qualifier, c.right.column)}`;

/** ` WHERE a AND b`, or nothing. */
export const whereClause = (conditions: readonly Fragment[]): Fragment => (conditions.length === 0 ? kw('') : sql` WHERE ${join(conditions, ' AND ')}`);
