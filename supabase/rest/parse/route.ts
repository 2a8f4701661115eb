// In charge of what a request targets: the resource from the path, the action from the method, and the schema from the profile headers.

import { invalidResourcePath, invalidRpcMethod, unacceptableSchema, unsupportedMethod } from '../errors.ts';
import type { ApiError } from '../errors.ts';
import { urlDecode } from './query-string.ts';
import type { Action, Target } from './types.ts';

export type Resource = { readonly kind: 'relation'; readonly name: string } | { readonly kind: 'routine'; readonly name: string } | { readonly kind: 'openapi' };

type Outcome<T> = { ok: true; value: T } | { ok: false; error: ApiError };

const utf8 = new TextEncoder();

/** Path segments as WAI's `pathInfo` gives them: split on `/`, percent-decoded, a trailing slash leaving an empty segment. */
export function pathSegments(pathname: string): string[] {
  const trimmed = pathname.startsWith('/') ? pathname.slice(1) : pathname;
  if (trimmed === '') return [];
  return trimmed.split('/').map((s) => urlDecode(utf8.encode(s), false));
}

/** `/` is the OpenAPI root, `/<name>` a table or view, `/rpc/<name>` a function; anything else is PGRST125. */
export function resourceOf(segments: readonly string[]): Outcome<Resource> {
  if (segments.length === 0) return { ok: true, value: { kind: 'openapi' } };
  const [first = '', second] = segments;
  if (segments.length === 1) return { ok: true, value: { kind: 'relation', name: first } };
  if (segments.length === 2 && first === 'rpc' && second !== undefined) return { ok: true, value: { kind: 'routine', name: second } };
  return { ok: false, error: invalidResourcePath() };
}

/** Methods that write carry the schema in `Content-Profile`; the others in `Accept-Profile`. */
const WRITE_METHODS = ['DELETE', 'PATCH', 'POST', 'PUT'];

export function schemaOf(method: string, headers: Headers, schemas: readonly string[]): Outcome<{ schema: string; negotiatedByProfile: boolean }> {
  const profile = headers.get(WRITE_METHODS.includes(method) ? 'content-profile' : 'accept-profile');
  if (profile !== null) {
    if (!schemas.includes(profile)) return { ok: false, error: unacceptableSchema(schemas) };
    return { ok: true, value: { schema: profile, negotiatedByProfile: true } };
  }
  // With several schemas, the default one counts as negotiated (so responses name it in Content-Profile).
  return { ok: true, value: { schema: schemas[0] ?? '', negotiatedByProfile: schemas.length !== 1 } };
}

export function actionOf(resource: Resource, method: string): Outcome<Action> {
  const ok = (value: Action): Outcome<Action> => ({ ok: true, value });
  switch (resource.kind) {
    case 'routine':
      switch (method) {
        case 'HEAD':
          return ok({ type: 'call', invoke: 'read', headersOnly: true });
        case 'GET':
          return ok({ type: 'call', invoke: 'read', headersOnly: false });
        case 'POST':
          return ok({ type: 'call', invoke: 'post', headersOnly: false });
        case 'OPTIONS':
          return ok({ type: 'info' });
        default:
          return { ok: false, error: invalidRpcMethod(method) };
      }
    case 'relation':
      switch (method) {
        case 'HEAD':
          return ok({ type: 'read', headersOnly: true });
        case 'GET':
          return ok({ type: 'read', headersOnly: false });
        case 'POST':
          return ok({ type: 'insert' });
        case 'PUT':
          return ok({ type: 'upsert-put' });
        case 'PATCH':
          return ok({ type: 'update' });
        case 'DELETE':
          return ok({ type: 'delete' });
        case 'OPTIONS':
          return ok({ type: 'info' });
        default:
          return { ok: false, error: unsupportedMethod(method) };
      }
    case 'openapi':
      switch (method) {
        case 'HEAD':
          return ok({ type: 'read', headersOnly: true });
        case 'GET':
          return ok({ type: 'read', headersOnly: false });
        case 'OPTIONS':
          return ok({ type: 'info' });
        default:
          return { ok: false, error: unsupportedMethod(method) };
      }
  }
}

export function targetOf(resource: Resource, schema: string): Target {
  return resource.kind === 'openapi' ? { kind: 'openapi' } : { kind: resource.kind, schema, name: resource.name };
}
