// In charge of reading a JSON request body as rows inside the database (PostgREST's fromJsonBodyF): the body is ONE bind parameter, expanded by json_to_record[set] into typed columns, optionally filled with the columns' defaults (`Prefer: missing=default`).

import type { JsonBody } from '../plan/mutate-types.ts';
import { cat, empty, ident, join, kw, param, sql } from './fragments.ts';
import type { Fragment } from './fragments.ts';

/** A column read from the body: its name, the type its JSON value is read as, and its default (catalog SQL text) if any. */
export interface BodyField {
  readonly name: string;
  readonly type: string;
  readonly defaultValue: string | null;
}

export interface BodyOptions {
  /** Start with `SELECT "pgrst_body"."a", …` (INSERT … SELECT, limited UPDATE). */
  readonly select: boolean;
  /** `LIMIT 1`: only the first element of an array body (function calls, limited UPDATE). */
  readonly limitOne: boolean;
  /** `Prefer: missing=default`: keys absent from an element take the column's default. */
  readonly applyDefaults: boolean;
}

/** The alias the body's row is read under. */
export const BODY = 'pgrst_body';

/** `jsonb_build_object($1, (default), …)`: column names are parameters, default expressions come from the schema cache. */
function defaultsObject(fields: readonly BodyField[]): Fragment {
  const pairs = fields.flatMap((f) => (f.defaultValue === null ? [] : [sql`${param(f.name)}::text, (${kw(f.defaultValue)})`]));
  return sql`jsonb_build_object(${join(pairs, ', ')})`;
}

/**
 * `[SELECT pgrst_body.cols] FROM (SELECT $n::json AS json_data) pgrst_payload, LATERAL (SELECT cols FROM
 * json_to_record[set](…) AS _(col type, …)) pgrst_body`. With no fields, one empty row per object of the body.
 */
export function jsonBodyFrom(body: JsonBody, fields: readonly BodyField[], opts: BodyOptions): Fragment {
  const names = fields.map((f) => ident(f.name));
  const head = opts.select ? sql`SELECT ${join(fields.map((f) => sql`${ident(BODY)}.${ident(f.name)}`), ', ')} ` : empty;
  const payload = sql`FROM (SELECT ${param(body.raw)}::${kw(opts.applyDefaults ? 'jsonb' : 'json')} AS json_data) pgrst_payload, `;
  const defaults = !opts.applyDefaults
    ? empty
    : body.isObject
      ? sql`LATERAL (SELECT ${defaultsObject(fields)} || pgrst_payload.json_data AS val) pgrst_json_defs, `
      : sql`LATERAL (SELECT jsonb_agg(${defaultsObject(fields)} || elem) AS val FROM jsonb_array_elements(pgrst_payload.json_data) elem) pgrst_json_defs, `;
  const source = kw(opts.applyDefaults ? 'pgrst_json_defs.val' : 'pgrst_payload.json_data');
  const prefix = opts.applyDefaults ? 'jsonb' : 'json';
  let rows: Fragment;
  if (fields.length === 0) {
    rows = body.isObject ? kw('(values(1)) _ ') : sql`${kw(prefix)}_array_elements(${source}) _ `;
  } else {
    const typed = join(fields.map((f) => sql`${ident(f.name)} ${kw(f.type)}`), ', ');
    const fn = kw(`${prefix}_to_record${body.isObject ? '' : 'set'}`);
    rows = cat(sql`${fn}(${source}) AS _(${typed}) `, opts.limitOne ? kw('LIMIT 1') : empty);
  }
  return cat(head, payload, defaults, sql`LATERAL (SELECT ${join(names, ', ')} FROM ${rows}) ${ident(BODY)} `);
}
