// The read plan as a tree, on a hand-built schema cache: nodes, aliases, relationships, join conditions, where trees, orders, spreads, hoisted aggregates and roots over a CTE (the shape mutations and calls build on).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRequest } from '../../supabase/rest/parse/index.ts';
import { planRead } from '../../supabase/rest/plan/read.ts';
import type { ReadPlan, ReadPlanOptions } from '../../supabase/rest/plan/types.ts';
import { qualifiedKey } from '../../supabase/rest/schema-cache/qualified-key.ts';
import type { ForeignKeyRelationship, ManyToManyRelationship, Relationship, SchemaCache } from '../../supabase/rest/schema-cache/types.ts';
import { col, q, table } from '../helpers/schema-cache-builders.ts';


function fk(from: string, to: string, constraint: string, columns: [string, string][], cardinality: ForeignKeyRelationship['cardinality']): ForeignKeyRelationship {
  return { cardinality, holdsForeignKey: cardinality !== 'one-to-many', table: q(from), foreignTable: q(to), isSelf: from === to, tableIsView: false, foreignTableIsView: false, constraint, columns };
}

const usersTeams: ManyToManyRelationship = {
  cardinality: 'many-to-many', table: q('users'), foreignTable: q('teams'), isSelf: false, tableIsView: false, foreignTableIsView: false,
  junction: {
    table: q('users_teams'), sourceConstraint: 'users_teams_user_id_fkey', targetConstraint: 'users_teams_team_id_fkey',
    sourceColumns: [['id', 'user_id']], targetColumns: [['id', 'team_id']],
  },
};

const relations = [
  table('clients', [col('id', 1), col('name', 2, 'text'), col('data', 3, 'jsonb')]),
  table('projects', [col('id', 1), col('name', 2, 'text'), col('client_id', 3), col('budget', 4, 'numeric')]),
  table('users', [col('id', 1), col('name', 2, 'text')]),
  table('teams', [col('id', 1), col('name', 2, 'text')]),
  table('users_teams', [col('user_id', 1), col('team_id', 2)]),
];

const rels: Relationship[] = [
  fk('projects', 'clients', 'projects_client_id_fkey', [['client_id', 'id']], 'many-to-one'),
  fk('clients', 'projects', 'projects_client_id_fkey', [['id', 'client_id']], 'one-to-many'),
  usersTeams,
];

const cache: SchemaCache = {
  schemas: ['public'],
  relations: new Map(relations.map((r) => [qualifiedKey(r.schema, r.name), r])),
  relationships: new Map(
    [...new Set(rels.map((r) => r.table.name))].map((t) => [qualifiedKey('public', t), rels.filter((r) => r.table.name === t)]),
  ),
  routines: new Map(),
  loadedAt: new Date(0),
};

function plan(url: string, options: ReadPlanOptions = { aggregatesEnabled: true }): ReadPlan {
  const parsed = parseRequest({ method: 'GET', url, headers: new Headers() }, { schemas: ['public'] });
  assert.ok(parsed.ok);
  const planned = planRead(parsed.request, cache, options);
  if (!planned.ok) assert.fail(JSON.stringify(planned.error));
  return planned.plan;
}

const all = { offset: 0, limit: null };

describe('the read tree', () => {
  test('the root reads the relation under its qualified name; a filter becomes a where statement', () => {
    assert.deepEqual(plan('/projects?select=id,n:name&id=eq.1'), {
      source: { type: 'relation', relation: q('projects') },
      relation: q('projects'),
      fromAlias: null,
      qualifier: { schema: 'public', name: 'projects' },
      select: [
        { target: { type: 'column', field: { name: 'id', jsonPath: [], toJson: true, type: 'integer' } }, aggregate: null, aggregateCast: null, cast: null, alias: null },
        { target: { type: 'column', field: { name: 'name', jsonPath: [], toJson: true, type: 'text' } }, aggregate: null, aggregateCast: null, cast: null, alias: 'n' },
      ],
      where: [
        {
          type: 'stmt',
          filter: {
            type: 'filter',
            field: { name: 'id', jsonPath: [], toJson: true, type: 'integer' },
            opExpr: { negated: false, operation: { type: 'compare', operator: 'eq', quantifier: null, value: '1' } },
          },
        },
      ],
      order: [],
      range: all,
      relName: 'projects',
      relAlias: null,
      relHint: null,
      joinType: null,
      isSpread: false,
      depth: 0,
      link: null,
      children: [],
    });
  });

  test('an embed is aliased <table>_<depth>, its lateral subquery <parent>_<name>_<depth>, and joins on the foreign key', () => {
    const root = plan('/projects?select=id,client:clients!inner(name)');
    const child = root.children[0];
    assert.ok(child);
    assert.deepEqual(
      { fromAlias: child.fromAlias, qualifier: child.qualifier, relAlias: child.relAlias, joinType: child.joinType, depth: child.depth, link: child.link && { ...child.link, relationship: child.link.relationship.cardinality } },
      {
        fromAlias: 'clients_1',
        qualifier: { schema: null, name: 'clients_1' },
        relAlias: 'client',
        joinType: 'inner',
        depth: 1,
        link: {
          relationship: 'many-to-one',
          joinConditions: [{ left: { qualifier: { schema: null, name: 'clients_1' }, column: 'id' }, right: { qualifier: { schema: 'public', name: 'projects' }, column: 'client_id' } }],
          junction: null,
          aggAlias: 'projects_client_1',
          mode: 'object',
          selectName: 'client',
          empty: false,
          spreadSelect: [],
        },
      },
    );
  });

  test('many-to-many reads the target unaliased with the junction, joined on both of its keys', () => {
    const child = plan('/users?select=teams(name)').children[0];
    assert.ok(child?.link);
    assert.equal(child.fromAlias, null);
    assert.deepEqual(child.qualifier, { schema: 'public', name: 'teams' });
    assert.deepEqual(child.link.junction, q('users_teams'));
    assert.deepEqual(child.link.joinConditions, [
      { left: { qualifier: { schema: 'public', name: 'users_teams' }, column: 'team_id' }, right: { qualifier: { schema: 'public', name: 'teams' }, column: 'id' } },
      { left: { qualifier: { schema: 'public', name: 'users_teams' }, column: 'user_id' }, right: { qualifier: { schema: 'public', name: 'users' }, column: 'id' } },
    ]);
    assert.equal(child.link.mode, 'array');
  });

  test('logic trees come before the plain filters; rel=is.null becomes an embed null filter', () => {
    const root = plan('/clients?select=id,projects()&projects=not.is.null&id=gt.0&or=(id.eq.1,projects.is.null)');
    assert.deepEqual(root.where.map((w) => (w.type === 'expr' ? w.children.map((c) => c.type === 'stmt' && c.filter.type) : w.filter.type)), [
      ['filter', 'embed-null'],
      'embed-null',
      'filter',
    ]);
    assert.deepEqual(root.where[1], { type: 'stmt', filter: { type: 'embed-null', negated: true, aggAlias: 'clients_projects_1' } });
    assert.equal(root.children[0]?.link?.empty, true);
  });

  test('a related order points at the to-one embed\'s subquery', () => {
    assert.deepEqual(plan('/projects?select=id,clients(name)&order=clients(name).desc,id').order, [
      { type: 'relation', aggAlias: 'projects_clients_1', field: { name: 'name', jsonPath: [], toJson: false, type: '' }, direction: 'desc', nulls: null },
      { type: 'field', field: { name: 'id', jsonPath: [], toJson: true, type: 'integer' }, direction: null, nulls: null },
    ]);
  });

  test('JSON paths: json columns are read directly, others through to_jsonb, and the last key is the alias', () => {
    const root = plan('/clients?select=data->a->>b,id->0');
    assert.deepEqual(
      root.select.map((s) => [s.target.type === 'column' && s.target.field.toJson, s.alias]),
      [[false, 'b'], [true, 'id']],
    );
  });

  test('* is expanded under an aggregate so that the columns can be grouped', () => {
    assert.deepEqual(
      plan('/projects?select=*,id.count()').select.map((s) => [s.target.type === 'column' ? s.target.field.name : s.target.type, s.aggregate]),
      [['id', null], ['name', null], ['client_id', null], ['budget', null], ['id', 'count']],
    );
  });

  test('aggregates of a spread are hoisted to the parent, the spread selects plain columns', () => {
    const root = plan('/projects?select=name,...clients(total:id.sum(),name)');
    const spread = root.children[0];
    assert.ok(spread?.link);
    assert.deepEqual(spread.select.map((s) => [s.aggregate, s.alias]), [[null, 'total'], [null, null]]);
    assert.deepEqual(spread.link.spreadSelect, [
      { name: 'total', aggregate: 'sum', aggregateCast: null, alias: 'total' },
      { name: 'name', aggregate: null, aggregateCast: null, alias: null },
    ]);
  });

  test('max-rows caps every embedded level', () => {
    const root = plan('/clients?select=id,projects(id)&projects.limit=50', { maxRows: 10 });
    assert.deepEqual(root.children[0]?.range, { offset: 0, limit: 10 });
  });

  test('a root over a CTE (a mutation\'s RETURNING, a function\'s rows) is aliased by its relation; embeds join to that alias', () => {
    const root = plan('/projects?select=id,clients(name)&id=eq.1&clients.name=eq.x', {
      root: { source: { type: 'cte', name: 'pgrst_source' }, relation: q('projects') },
      rootFilters: false,
    });
    assert.deepEqual([root.source, root.fromAlias, root.qualifier, root.where], [{ type: 'cte', name: 'pgrst_source' }, 'projects', { schema: null, name: 'projects' }, []]);
    assert.deepEqual(root.children[0]?.link?.joinConditions[0]?.right, { qualifier: { schema: null, name: 'projects' }, column: 'client_id' });
    assert.equal(root.children[0]?.where.length, 1);
  });

  test('a root over a CTE whose columns the caller gives (a function returning a table type of its own)', () => {
    const root = plan('/projects?select=total&total=gt.1', {
      root: { source: { type: 'cte', name: 'pgrst_source' }, relation: null, name: 'totals', columns: [{ name: 'total', type: 'numeric' }] },
    });
    assert.deepEqual(root.qualifier, { schema: null, name: 'totals' });
    assert.deepEqual(root.select[0]?.target, { type: 'column', field: { name: 'total', jsonPath: [], toJson: true, type: 'numeric' } });
  });
});
