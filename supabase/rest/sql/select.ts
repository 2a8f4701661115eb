// In charge of the select list and GROUP BY of one level of a read (PostgREST's pgFmtField, pgFmtSelectItem, pgFmtSpreadSelectItem, groupF): columns with JSON paths, casts, aggregates and aliases.

import type { AggregateFunction, JsonPath } from '../parse/types.ts';
import type { CoercibleField, CoercibleSelectField, ReadPlan, SpreadSelectField, SqlQualifier } from '../plan/types.ts';
import { cat, column, empty, ident, join, kw, param, sql } from './fragments.ts';
import type { Fragment } from './fragments.ts';

/** `->$1->>$2::int`: keys and indexes are parameters. */
export function jsonPath(path: JsonPath): Fragment {
  return cat(
    ...path.map((op) => {
      const operand = op.operand.type === 'key' ? param(op.operand.value) : sql`${param(op.operand.value)}::int`;
      return cat(kw(op.arrow), operand);
    }),
  );
}

/** A column, through `to_jsonb()` when a JSON path applies to a column that is not json/jsonb. */
export function field(q: SqlQualifier, f: CoercibleField): Fragment {
  if (f.jsonPath.length === 0) return column(q, f.name);
  const base = f.toJson ? sql`to_jsonb(${column(q, f.name)})` : column(q, f.name);
  return cat(base, jsonPath(f.jsonPath));
}

const applyCast = (type: string | null, x: Fragment): Fragment => (type === null ? x : sql`CAST( ${x} AS ${kw(type)} )`);

const AGGREGATES: Readonly<Record<AggregateFunction, string>> = { sum: 'SUM', avg: 'AVG', max: 'MAX', min: 'MIN', count: 'COUNT' };

function applyAggregate(aggregate: AggregateFunction | null, aggregateCast: string | null, x: Fragment): Fragment {
  return aggregate === null ? x : applyCast(aggregateCast, sql`${kw(AGGREGATES[aggregate])}(${x})`);
}

const as = (alias: string | null): Fragment => (alias === null ? empty : sql` AS ${ident(alias)}`);

/** What a select item reads, before cast and aggregate. */
function target(q: SqlQualifier, s: CoercibleSelectField): Fragment {
  switch (s.target.type) {
    case 'column':
      return field(q, s.target.field);
    case 'star':
      return column(q, '*');
    case 'row-count':
      return sql`pg_catalog.count(${column(q, '*')})`;
    case 'row':
      return ident(q.name);
  }
}

export function selectItem(q: SqlQualifier, s: CoercibleSelectField): Fragment {
  return cat(applyAggregate(s.aggregate, s.aggregateCast, applyCast(s.cast, target(q, s))), as(s.alias));
}

/** A column of a spread embed's subquery, selected by the parent (aggregated when hoisted). */
export function spreadItem(aggAlias: string, s: SpreadSelectField): Fragment {
  const ref = s.name === '*' ? sql`${ident(aggAlias)}.*` : sql`${ident(aggAlias)}.${ident(s.name)}`;
  return cat(applyAggregate(s.aggregate, s.aggregateCast, ref), as(s.alias));
}

/** GROUP BY the non-aggregated items when anything of this level (or a spread below it) is aggregated. */
export function groupBy(plan: ReadPlan): Fragment {
  const spreads = plan.children.flatMap((c) => (c.link?.mode === 'spread' ? [c.link] : []));
  const aggregated = plan.select.some((s) => s.aggregate !== null) || spreads.some((l) => l.spreadSelect.some((s) => s.aggregate !== null));
  if (!aggregated) return empty;
  const terms: Fragment[] = [];
  for (const s of plan.select) {
    if (s.aggregate !== null) continue;
    terms.push(s.alias !== null ? ident(s.alias) : target(plan.qualifier, s));
  }
  for (const c of plan.children) {
    const l = c.link;
    if (l === null) continue;
    if (l.mode === 'spread') {
      for (const s of l.spreadSelect) {
        if (s.aggregate !== null) continue;
        const name = s.alias ?? s.name;
        terms.push(name === '*' ? sql`${ident(l.aggAlias)}.*` : sql`${ident(l.aggAlias)}.${ident(name)}`);
      }
    } else if (!l.empty) terms.push(ident(l.selectName));
  }
  return terms.length === 0 ? empty : sql` GROUP BY ${join(terms, ', ')}`;
}
