// In charge of the SQL of a write (PostgREST's mutatePlanToQuery): INSERT (with ON CONFLICT for upserts and PUT), UPDATE and DELETE — limited by `order`+`limit` when asked — each ending in the RETURNING clause the read over `pgrst_source` needs.

import type { CoercibleLogicTree, SqlQualifier } from '../plan/types.ts';
import type { DeleteMutation, InsertMutation, MutatePlan, UpdateMutation } from '../plan/mutate-types.ts';
import { cat, column, empty, ident, join, kw, qualifier, sql } from './fragments.ts';
import type { Fragment } from './fragments.ts';
import { BODY, jsonBodyFrom } from './mutate-body.ts';
import { limitOffset, orderBy } from './order.ts';
import { filter, logicTree } from './where.ts';

const bodyQualifier: SqlQualifier = { schema: null, name: BODY };

const conditions = (q: SqlQualifier, trees: readonly CoercibleLogicTree[]): Fragment[] => trees.map((t) => logicTree(t, (f) => filter(q, f)));

/** Counts rows offered for insertion (+1) and rows that turned into updates (-1) in `pgrst.inserted`; the comparison is always true. */
const insertedCounter = (delta: '+' | '-'): Fragment =>
  kw(
    `set_config('pgrst.inserted', (coalesce(nullif(current_setting('pgrst.inserted', true), '')::int, 0) ${delta} 1)::text, true) <> '${delta === '+' ? '0' : '-1'}'`,
  );

/** `RETURNING "s"."t".*`, the listed columns, or `RETURNING 1` (only the count of rows is needed). */
function returning(target: SqlQualifier, columns: MutatePlan['returning']): Fragment {
  if (columns === '*') return sql`RETURNING ${column(target, '*')}`;
  if (columns.length === 0) return kw('RETURNING 1');
  return sql`RETURNING ${join(columns.map((c) => column(target, c)), ', ')}`;
}

function insertQuery(m: InsertMutation, returns: MutatePlan['returning']): Fragment {
  const target: SqlQualifier = m.relation;
  const cols = m.columns.length === 0 ? kw(' ') : sql`(${join(m.columns.map((c) => ident(c.name)), ', ')}) `;
  const body = jsonBodyFrom(m.body, m.columns, { select: true, limitOne: false, applyDefaults: m.applyDefaults });
  // a WHERE also keeps `ON CONFLICT` from being read as a join condition of the FROM list
  const where = [...conditions(bodyQualifier, m.putConditions), ...(m.countInserted ? [insertedCounter('+')] : m.onConflict !== null ? [kw('TRUE')] : [])];
  const whereClause = where.length === 0 ? empty : sql`WHERE ${join(where, ' AND ')} `;
  let conflict = empty;
  if (m.onConflict !== null) {
    const on = sql`ON CONFLICT(${join(m.onConflict.columns.map(ident), ', ')}) `;
    if (m.onConflict.resolution === 'ignore-duplicates' || m.columns.length === 0) conflict = cat(on, kw('DO NOTHING '));
    else {
      const sets = join(m.columns.map((c) => sql`${ident(c.name)} = EXCLUDED.${ident(c.name)}`), ', ');
      conflict = cat(on, sql`DO UPDATE SET ${sets} `, m.countInserted ? sql`WHERE ${insertedCounter('-')} ` : empty);
    }
  }
  return cat(sql`INSERT INTO ${qualifier(target)}`, cols, body, whereClause, conflict, returning(target, returns));
}

const isLimited = (m: UpdateMutation | DeleteMutation): boolean => m.range.offset !== 0 || m.range.limit !== null;

/** `pgrst_affected_rows AS (SELECT order columns FROM t WHERE … ORDER BY … LIMIT … OFFSET …)` and how the write joins it. */
function affectedRows(m: UpdateMutation | DeleteMutation): { cte: Fragment; join: Fragment } {
  const target: SqlQualifier = m.relation;
  const ids = [...new Set(m.order.map((o) => o.field.name))];
  const affected: SqlQualifier = { schema: null, name: 'pgrst_affected_rows' };
  const where = conditions(target, m.where);
  const cte = cat(
    sql`pgrst_affected_rows AS (SELECT ${join(ids.map((c) => column(target, c)), ', ')} FROM ${qualifier(target)}`,
    where.length === 0 ? empty : sql` WHERE ${join(where, ' AND ')}`,
    orderBy(target, m.order),
    limitOffset(m.range),
    kw(')'),
  );
  return { cte, join: join(ids.map((c) => sql`${column(target, c)} = ${column(affected, c)}`), ' AND ') };
}

function updateQuery(m: UpdateMutation, returns: MutatePlan['returning']): Fragment {
  const target: SqlQualifier = m.relation;
  if (m.columns.length === 0) {
    // nothing to set: no rows, but the columns the read selects exist
    const own: SqlQualifier = { schema: null, name: m.relation.name };
    const cols = returns === '*' ? column(own, '*') : returns.length === 0 ? kw('NULL') : join(returns.map((c) => column(own, c)), ', ');
    return sql`SELECT ${cols} FROM ${qualifier(target)} WHERE false`;
  }
  if (!isLimited(m)) {
    const sets = join(m.columns.map((c) => sql`${ident(c.name)} = ${column(bodyQualifier, c.name)}`), ', ');
    const where = conditions(target, m.where);
    return cat(
      sql`UPDATE ${qualifier(target)} SET ${sets} `,
      jsonBodyFrom(m.body, m.columns, { select: false, limitOne: false, applyDefaults: m.applyDefaults }),
      where.length === 0 ? empty : sql`WHERE ${join(where, ' AND ')} `,
      returning(target, returns),
    );
  }
  const { cte, join: joinOn } = affectedRows(m);
  const sets = join(m.columns.map((c) => sql`${ident(c.name)} = (SELECT ${ident(c.name)} FROM pgrst_update_body) `), ', ');
  return cat(
    sql`WITH pgrst_update_body AS (${jsonBodyFrom(m.body, m.columns, { select: true, limitOne: true, applyDefaults: m.applyDefaults })}), `,
    cte,
    sql` UPDATE ${qualifier(target)} SET ${sets}FROM pgrst_affected_rows WHERE ${joinOn} `,
    returning(target, returns),
  );
}

function deleteQuery(m: DeleteMutation, returns: MutatePlan['returning']): Fragment {
  const target: SqlQualifier = m.relation;
  if (!isLimited(m)) {
    const where = conditions(target, m.where);
    return cat(sql`DELETE FROM ${qualifier(target)} `, where.length === 0 ? empty : sql`WHERE ${join(where, ' AND ')} `, returning(target, returns));
  }
  const { cte, join: joinOn } = affectedRows(m);
  return cat(sql`WITH `, cte, sql` DELETE FROM ${qualifier(target)} USING pgrst_affected_rows WHERE ${joinOn} `, returning(target, returns));
}

/** The write alone, as it goes inside `WITH pgrst_source AS (…)`. */
export function mutationQuery(plan: MutatePlan): Fragment {
  const m = plan.mutation;
  switch (m.type) {
    case 'insert':
      return insertQuery(m, plan.returning);
    case 'update':
      return updateQuery(m, plan.returning);
    case 'delete':
      return deleteQuery(m, plan.returning);
  }
}
