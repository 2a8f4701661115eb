// In charge of turning catalog rows of functions into Routines: input and output parameters, return type, volatility and settings (PostgREST's allFunctions).

import { qualifiedKey } from './qualified-key.ts';
import type { Routine, RoutineOutParam, RoutineParam, RoutineReturn, Volatility } from './types.ts';

export interface RoutineRow {
  schema: string;
  name: string;
  description: string | null;
  /** regtype text of every argument (all modes), in order. */
  arg_types: string[];
  /** `i`, `o`, `b` (inout), `v` (variadic), `t` (table column); empty when all are IN. */
  arg_modes: string[];
  /** `''` for unnamed arguments; empty when none is named. */
  arg_names: string[];
  nargs: number;
  ndefaults: number;
  set_of: boolean;
  /** Not SETOF, or declared `ROWS 1`. */
  single_row?: boolean;
  type_schema: string;
  type_name: string;
  is_composite: boolean;
  is_alias: boolean;
  returns_relation: boolean;
  volatility: string;
  has_variadic: boolean;
  config: string[];
  /** `[schema, name]` of the table or view whose row is the function's one argument (a computed field), else null. */
  row_argument_of?: [string, string] | null;
}

/** Types whose single unnamed parameter takes the whole request body. */
const SINGLE_UNNAMED_TYPES = new Set(['bytea', 'json', 'jsonb', 'text', 'xml']);

/** Types that would truncate or pad an argument if it were cast to them. */
const UNBOUNDED: Readonly<Record<string, string>> = {
  bit: 'bit varying',
  'bit[]': 'bit varying[]',
  character: 'character varying',
  'character[]': 'character varying[]',
};

const VOLATILITY: Readonly<Record<string, Volatility>> = { i: 'immutable', s: 'stable', v: 'volatile' };

function settingsOf(config: readonly string[]): { isolationLevel: string | null; settings: [string, string][] } {
  let isolationLevel: string | null = null;
  const settings: [string, string][] = [];
  for (const entry of config) {
    const eq = entry.indexOf('=');
    if (eq < 0) continue;
    const name = entry.slice(0, eq);
    const value = entry.slice(eq + 1).toLowerCase();
    if (name === 'default_transaction_isolation') isolationLevel = value.split(',')[0] ?? value;
    else settings.push([name, value]);
  }
  return { isolationLevel, settings };
}

function returnOf(row: RoutineRow, relationKeys: ReadonlySet<string>): RoutineReturn {
  const type = { schema: row.type_schema, name: row.type_name };
  if (row.is_composite) {
    const inCache = row.returns_relation && relationKeys.has(qualifiedKey(type.schema, type.name));
    return { kind: 'composite', setOf: row.set_of, type, isAlias: row.is_alias, relation: inCache ? type : null };
  }
  if (type.schema === 'pg_catalog' && type.name === 'void') return { kind: 'void' };
  return { kind: 'scalar', setOf: row.set_of, type };
}

/**
 * A routine as the cache keeps it, or null when it cannot be called through /rpc: more than one unnamed input
 * parameter, or one whose type cannot take a raw request body.
 */
export function toRoutine(row: RoutineRow, relationKeys: ReadonlySet<string>): Routine | null {
  const params: RoutineParam[] = [];
  const outParams: RoutineOutParam[] = [];
  const required = row.nargs - row.ndefaults;
  for (const [i, type] of row.arg_types.entries()) {
    const mode = row.arg_modes[i] ?? 'i';
    const name = row.arg_names[i] ?? '';
    if (mode === 'i' || mode === 'b' || mode === 'v') {
      params.push({ name, type, typeMaxLength: UNBOUNDED[type] ?? type, required: params.length < required, variadic: mode === 'v' });
    }
    if (mode === 'o' || mode === 'b' || mode === 't') outParams.push({ name, type });
  }
  const unnamed = params.filter((p) => p.name === '');
  if (unnamed.length > 1) return null;
  if (unnamed.length === 1 && !SINGLE_UNNAMED_TYPES.has(unnamed[0]?.type ?? '')) return null;
  const { isolationLevel, settings } = settingsOf(row.config);
  return {
    schema: row.schema,
    name: row.name,
    description: row.description,
    params,
    outParams,
    returns: returnOf(row, relationKeys),
    volatility: VOLATILITY[row.volatility] ?? 'volatile',
    hasVariadic: row.has_variadic,
    isolationLevel,
    settings,
  };
}

/** Routines by qualified name; overloads with fewer parameters first, as PostgREST orders them. */
export function groupRoutines(routines: readonly Routine[]): Map<string, Routine[]> {
  const out = new Map<string, Routine[]>();
  for (const r of routines) {
    const k = qualifiedKey(r.schema, r.name);
    const list = out.get(k);
    if (list === undefined) out.set(k, [r]);
    else list.push(r);
  }
  for (const list of out.values()) list.sort((a, b) => a.params.length - b.params.length);
  return out;
}
