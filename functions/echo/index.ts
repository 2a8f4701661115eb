// Describes the request it got — method, path, query, selected headers, body bytes (base64) — and the env var names it can see.
import { handleCors, jsonResponse } from '../_shared/cors.ts';

const ECHOED_HEADERS = ['authorization', 'apikey', 'content-type', 'content-length', 'x-client-info', 'x-custom', 'x-hub-signature-256'];

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

Deno.serve(async (req: Request) => {
  const preflight = handleCors(req);
  if (preflight) return preflight;
  const url = new URL(req.url);
  const headers: Record<string, string> = {};
  for (const name of ECHOED_HEADERS) {
    const value = req.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  const body = new Uint8Array(await req.arrayBuffer());
  return jsonResponse({
    method: req.method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body_base64: base64(body),
    body_length: body.length,
    env: Object.keys(Deno.env.toObject()).sort(),
  });
});
