// In charge of translating Postgres types, column defaults and comments into their Swagger 2.0 form, as PostgREST 12's OpenAPI output does.

import type { JsonValue, Schema, SwaggerType } from './types.ts';

const TYPES: Readonly<Record<string, SwaggerType | null>> = {
  'character varying': 'string',
  character: 'string',
  text: 'string',
  boolean: 'boolean',
  smallint: 'integer',
  integer: 'integer',
  bigint: 'integer',
  numeric: 'number',
  real: 'number',
  'double precision': 'number',
  // any JSON value: no type at all
  json: null,
  jsonb: null,
};

/** The Swagger type of a Postgres type (`format_type`/`regtype` text); null for json/jsonb; `string` for every type not listed. */
export function swaggerType(pgType: string): SwaggerType | null {
  const known = TYPES[pgType];
  if (known !== undefined) return known;
  return pgType.endsWith('[]') ? 'array' : 'string';
}

const elementType = (arrayType: string): string => arrayType.slice(0, -2);

/** `{type: 'string'}` for `text[]`; `{}` for `jsonb[]`; undefined when the type is not an array. */
export function arrayItems(pgType: string): Schema | undefined {
  if (swaggerType(pgType) !== 'array') return undefined;
  const type = swaggerType(elementType(pgType));
  return type === null ? {} : { type };
}

/** Items of a variadic argument's query parameter: the element's type (string when it has none) and its format. */
export function variadicItems(pgType: string): { type: SwaggerType; format: string } {
  const element = elementType(pgType);
  return { type: swaggerType(element) ?? 'string', format: element };
}

/**
 * A column default as JSON, when PostgREST can show one: for string-typed columns the expression without its
 * `::type` cast and surrounding quotes (`'draft'::text` → "draft", `now()` → "now()"); for the others the expression
 * itself when it is JSON (`0`, `true`); otherwise none (`nextval(...)`, `'{}'::jsonb`, `'-1'::integer`).
 */
export function parseDefault(pgType: string, expression: string): JsonValue | undefined {
  let text = expression;
  if (swaggerType(pgType) === 'string') {
    const suffix = `::${pgType}`;
    const bare = text.endsWith(suffix) ? text.slice(0, -suffix.length).replace(/^'+|'+$/g, '') : text;
    text = `"${bare}"`;
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}

/**
 * A comment as PostgREST splits it for operations and `info`: the first line is the summary (title), the rest, without
 * the newlines that start it, the description; a comment without a newline has an empty description.
 */
export function splitComment(comment: string): { summary: string; description: string } {
  const nl = comment.indexOf('\n');
  if (nl < 0) return { summary: comment, description: '' };
  return { summary: comment.slice(0, nl), description: comment.slice(nl).replace(/^\n+/, '') };
}
