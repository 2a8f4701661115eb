// In charge of the `paths` of the OpenAPI document: the introspection root, one path per reachable table or view with the verbs the role may use on it, and one `/rpc/<fn>` per executable function.

import type { Relation, Routine, RoutineParam } from '../schema-cache/types.ts';
import { arrayItems, splitComment, swaggerType, variadicItems } from './pg-types.ts';
import { bodyName, ref, rowFilterName } from './parameters.ts';
import type { RelationAccess } from './privileges.ts';
import type { Operation, Parameter, PathItem, Schema } from './types.ts';

/** `summary` (first line of the comment) and `description` (the rest, when there is any). */
function commentFields(comment: string | null): { summary?: string; description?: string } {
  if (comment === null) return {};
  const { summary, description } = splitComment(comment);
  return description === '' ? { summary } : { summary, description };
}

export function rootPathItem(): PathItem {
  return {
    get: {
      produces: ['application/openapi+json', 'application/json'],
      responses: { '200': { description: 'OK' } },
      summary: 'OpenAPI description (this document)',
      tags: ['Introspection'],
    },
  };
}

/**
 * A table's or view's path: GET with the role's SELECT privilege, POST/PATCH/DELETE where the relation is
 * insertable/updatable/deletable and the role holds the matching privilege. Null when no verb is left.
 */
export function relationPathItem(relation: Relation, access: RelationAccess): PathItem | null {
  const tn = relation.name;
  const base = { ...commentFields(relation.description), tags: [tn] };
  const filters = [...relation.columns.keys()].map((c) => ref(rowFilterName(tn, c)));
  const item: Record<string, Operation> = {};
  if (access.select) {
    item['get'] = {
      parameters: [...filters, ...['select', 'order', 'range', 'rangeUnit', 'offset', 'limit', 'preferCount'].map(ref)],
      responses: {
        '200': { description: 'OK', schema: { items: { $ref: `#/definitions/${tn}` }, type: 'array' } },
        '206': { description: 'Partial Content' },
      },
      ...base,
    };
  }
  if (access.insert && relation.insertable) {
    item['post'] = { parameters: [ref(bodyName(tn)), ref('select'), ref('preferPost')], responses: { '201': { description: 'Created' } }, ...base };
  }
  if (access.update && relation.updatable) {
    item['patch'] = { parameters: [...filters, ref(bodyName(tn)), ref('preferReturn')], responses: { '204': { description: 'No Content' } }, ...base };
  }
  if (access.delete && relation.deletable) {
    item['delete'] = { parameters: [...filters, ref('preferReturn')], responses: { '204': { description: 'No Content' } }, ...base };
  }
  return Object.keys(item).length === 0 ? null : item;
}

/** A query parameter of `GET /rpc/fn`: arrays travel as `{1,2}` strings, variadic arguments as repeated parameters. */
function queryArgument(p: RoutineParam): Parameter {
  if (p.variadic) {
    return { name: p.name, required: p.required, in: 'query', type: swaggerType(p.type) ?? 'string', items: variadicItems(p.type), collectionFormat: 'multi' };
  }
  const type = swaggerType(p.type);
  return { name: p.name, required: p.required, format: p.type, in: 'query', type: type === null || type === 'array' ? 'string' : type };
}

function argumentProperty(p: RoutineParam): Schema {
  const type = swaggerType(p.type);
  const items = arrayItems(p.type);
  return { format: p.type, ...(items === undefined ? {} : { items }), ...(type === null ? {} : { type }) };
}

/** The JSON body of `POST /rpc/fn`: one property per argument, `required` for those without a default. */
export function argumentsSchema(routine: Routine): Schema {
  const required = routine.params.filter((p) => p.required).map((p) => p.name);
  return {
    ...(routine.description === null ? {} : { description: routine.description }),
    ...(required.length === 0 ? {} : { required }),
    ...(routine.params.length === 0 ? {} : { properties: Object.fromEntries(routine.params.map((p) => [p.name, argumentProperty(p)])) }),
    type: 'object',
  };
}

/** `/rpc/fn`: POST always; GET only for stable and immutable functions, which are the only ones GET can call. */
export function routinePathItem(routine: Routine): PathItem {
  const base = {
    ...commentFields(routine.description),
    produces: ['application/json', 'application/vnd.pgrst.object+json;nulls=stripped', 'application/vnd.pgrst.object+json'],
    responses: { '200': { description: 'OK' } },
    tags: [`(rpc) ${routine.name}`],
  };
  const post: Operation = { ...base, parameters: [{ name: 'args', required: true, in: 'body', schema: argumentsSchema(routine) }, ref('preferParams')] };
  if (routine.volatility === 'volatile') return { post };
  const query = routine.params.map(queryArgument);
  return { get: query.length === 0 ? base : { ...base, parameters: query }, post };
}
