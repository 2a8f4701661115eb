/** CORS for browser apps: the preflight answer and the headers every response carries. */
export const ALLOWED_HEADERS = [
  'authorization', 'x-client-info', 'apikey', 'content-type', 'prefer', 'range', 'range-unit', 'accept',
  'accept-profile', 'content-profile', 'x-supabase-api-version', 'x-upsert', 'x-request-id', 'cache-control',
];
export const EXPOSED_HEADERS = [
  'Content-Range', 'Content-Location', 'Location', 'Preference-Applied', 'Range-Unit', 'Content-Profile',
  'X-Request-Id', 'X-Supabase-Api-Version', 'Server-Timing', 'Retry-After',
];
export const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export function isPreflight(method: string, requestMethodHeader: string | null): boolean {
  return method === 'OPTIONS' && requestMethodHeader !== null;
}

const PREFLIGHT: Readonly<Record<string, string>> = Object.freeze({
  'access-control-allow-origin': '*',
  'access-control-allow-methods': ALLOWED_METHODS.join(', '),
  'access-control-allow-headers': ALLOWED_HEADERS.join(', '),
  'access-control-max-age': '86400',
});

export function preflightHeaders(): Record<string, string> {
  return { ...PREFLIGHT };
}

const EXPOSED = EXPOSED_HEADERS.join(', ');

/** The headers every answer carries: the request id, and CORS for browser apps (a literal: no spread per request). */
export function responseHeaders(requestId: string): Readonly<Record<string, string>> {
  return { 'x-request-id': requestId, 'access-control-allow-origin': '*', 'access-control-expose-headers': EXPOSED };
}
