// In charge of turning a ReadPlan tree into its SELECT (PostgREST's readPlanToQuery) and into the query that counts the top level's rows (readPlanToCountQuery).

import type { CoercibleFilter, ReadPlan, ReadSource } from '../plan/types.ts';
import { cat, column, empty, ident, join, kw, qualifier, sql } from './fragments.ts';
import type { Fragment } from './fragments.ts';
import { embedJoin, embedSelect } from './embed.ts';
import { limitOffset, orderBy } from './order.ts';
import { groupBy, selectItem } from './select.ts';
import { filter, joinCondition, logicTree, whereClause } from './where.ts';

/** What a level reads from: a relation, a CTE, or a computed relationship's function called with the parent row. */
function source(s: ReadSource): Fragment {
  switch (s.type) {
    case 'relation':
      return qualifier({ schema: s.relation.schema, name: s.relation.name });
    case 'cte':
      return ident(s.name);
    case 'function':
      return sql`${qualifier(s.function)}(${ident(s.argument)}::${qualifier(s.argumentType)})`;
  }
}

/**
 * ` FROM "schema"."table" AS "alias"` (plus the junction of a many-to-many embed), ` FROM <cte> AS "alias"`, or
 * ` FROM "schema"."fn"("parent"::"schema"."table") AS "alias"`.
 */
function from(plan: ReadPlan): Fragment {
  const alias = plan.fromAlias === null ? empty : sql` AS ${ident(plan.fromAlias)}`;
  const junction = plan.link?.junction ?? null;
  return cat(sql` FROM ${source(plan.source)}`, alias, junction === null ? empty : sql`, ${qualifier(junction)}`);
}

/** The SELECT of one level with its embeds as lateral joins; the JSON of each embed is built here, in the database. */
export function readQuery(plan: ReadPlan): Fragment {
  const own = plan.select.length === 0 && plan.children.length === 0 ? [column(plan.qualifier, '*')] : plan.select.map((s) => selectItem(plan.qualifier, s));
  const embedded = plan.children.map(embedSelect).filter((f): f is Fragment => f !== null);
  const conditions = [
    ...plan.where.map((t) => logicTree(t, (f) => filter(plan.qualifier, f))),
    ...(plan.link?.joinConditions ?? []).map(joinCondition),
  ];
  return cat(
    sql`SELECT ${join([...own, ...embedded], ', ')}`,
    from(plan),
    ...plan.children.map((c) => embedJoin(c, readQuery)),
    whereClause(conditions),
    groupBy(plan),
    orderBy(plan.qualifier, plan.order),
    limitOffset(plan.range),
  );
}

/**
 * `SELECT 1 FROM … WHERE …`: the rows the top level's filters keep, without limit, order or embeds — except that
 * `!inner` embeds and `rel=is.null` filters become EXISTS conditions, since they change which rows there are.
 */
export function countQuery(plan: ReadPlan): Fragment {
  const leaf = (f: CoercibleFilter): Fragment => {
    if (f.type === 'filter') return filter(plan.qualifier, f);
    const child = plan.children.find((c) => c.link?.aggAlias === f.aggAlias);
    if (child === undefined) return kw('TRUE');
    return sql`${kw(f.negated ? '' : 'NOT ')}EXISTS (${countQuery(child)})`;
  };
  const conditions = [
    ...plan.where.map((t) => logicTree(t, leaf)),
    ...(plan.link?.joinConditions ?? []).map(joinCondition),
    ...plan.children.filter((c) => c.joinType === 'inner').map((c) => sql`EXISTS (${countQuery(c)} )`),
  ];
  return cat(kw('SELECT 1'), from(plan), whereClause(conditions));
}
