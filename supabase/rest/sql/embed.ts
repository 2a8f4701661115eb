// In charge of embedding (PostgREST's getJoins, getJoinSelects): one lateral join per embedded resource and the column it adds to the parent — a JSON object, a JSON array, or a spread's columns.

import type { ReadPlan } from '../plan/types.ts';
import { empty, ident, join, kw, sql } from './fragments.ts';
import type { Fragment } from './fragments.ts';
import { spreadItem } from './select.ts';

/** What the parent selects from one embed; nothing for an embed that only filters. */
export function embedSelect(child: ReadPlan): Fragment | null {
  const l = child.link;
  if (l === null) return null;
  const agg = ident(l.aggAlias);
  switch (l.mode) {
    case 'object':
      return l.empty ? null : sql`row_to_json(${agg}.*)::jsonb AS ${ident(l.selectName)}`;
    case 'array':
      return l.empty ? null : sql`COALESCE( ${agg}.${agg}, '[]') AS ${ident(l.selectName)}`;
    case 'spread':
      return l.spreadSelect.length === 0 ? null : join(l.spreadSelect.map((s) => spreadItem(l.aggAlias, s)), ', ');
  }
}

/**
 * ` LEFT JOIN LATERAL ( … ) AS "agg" ON …`: to-one embeds join their rows (`!inner` drops the parent row without
 * one); to-many embeds join one `json_agg` row (`!inner` drops the parent when it is null).
 */
export function embedJoin(child: ReadPlan, subquery: (plan: ReadPlan) => Fragment): Fragment {
  const l = child.link;
  if (l === null) return empty;
  const agg = ident(l.aggAlias);
  const joinType = kw(child.joinType === 'inner' ? 'INNER' : 'LEFT');
  if (l.mode !== 'array') return sql` ${joinType} JOIN LATERAL ( ${subquery(child)} ) AS ${agg} ON TRUE`;
  const aggregated = sql`SELECT json_agg(${agg})::jsonb AS ${agg} FROM (${subquery(child)} ) AS ${agg}`;
  const on = child.joinType === 'inner' ? sql`${agg} IS NOT NULL` : kw('TRUE');
  return sql` ${joinType} JOIN LATERAL ( ${aggregated} ) AS ${agg} ON ${on}`;
}
