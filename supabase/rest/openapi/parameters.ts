// In charge of the shared `parameters` of the OpenAPI document — Prefer variants, select, order, paging, and per relation its body and one row filter per column — and of references to them.

import type { Relation } from '../schema-cache/types.ts';
import type { Parameter, QueryOrHeaderParameter, Ref } from './types.ts';

export const ref = (name: string): Ref => ({ $ref: `#/parameters/${name}` });

export const rowFilterName = (relation: string, column: string): string => `rowFilter.${relation}.${column}`;
export const bodyName = (relation: string): string => `body.${relation}`;

const prefer = (values: readonly string[]): QueryOrHeaderParameter => ({
  name: 'Prefer',
  description: 'Preference',
  required: false,
  enum: values,
  in: 'header',
  type: 'string',
});

const optional = (name: string, description: string, where: 'query' | 'header'): QueryOrHeaderParameter => ({
  name,
  description,
  required: false,
  in: where,
  type: 'string',
});

const RETURN = ['return=representation', 'return=minimal', 'return=none'];

/** The parameters every table's operations refer to, in PostgREST's order. */
const SHARED: readonly (readonly [string, Parameter])[] = [
  ['preferParams', prefer(['params=single-object'])],
  ['preferReturn', prefer(RETURN)],
  ['preferCount', prefer(['count=none'])],
  ['preferPost', prefer([...RETURN, 'resolution=ignore-duplicates', 'resolution=merge-duplicates'])],
  ['select', optional('select', 'Filtering Columns', 'query')],
  ['on_conflict', optional('on_conflict', 'On Conflict', 'query')],
  ['order', optional('order', 'Ordering', 'query')],
  ['range', optional('Range', 'Limiting and Pagination', 'header')],
  ['rangeUnit', { name: 'Range-Unit', description: 'Limiting and Pagination', required: false, default: 'items', in: 'header', type: 'string' }],
  ['offset', optional('offset', 'Limiting and Pagination', 'query')],
  ['limit', optional('limit', 'Limiting and Pagination', 'query')],
];

/** A relation's body parameter and a row filter per column (in ordinal order), keyed by name. */
function relationParameters(relation: Relation): [string, Parameter][] {
  const body: Parameter = { name: relation.name, description: relation.name, required: false, in: 'body', schema: { $ref: `#/definitions/${relation.name}` } };
  const filters = [...relation.columns.values()].map((c): [string, Parameter] => [
    rowFilterName(relation.name, c.name),
    { name: c.name, ...(c.description === null ? {} : { description: c.description }), required: false, format: c.dataType, in: 'query', type: 'string' },
  ]);
  return [[bodyName(relation.name), body], ...filters];
}

/** The document's `parameters`: the shared ones, then each relation's (relations in the given order). */
export function parametersOf(relations: readonly Relation[]): Record<string, Parameter> {
  return Object.fromEntries([...SHARED, ...relations.flatMap(relationParameters)]);
}
