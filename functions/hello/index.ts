// Greets the caller: POST { name } → { message: "Hello <name>!" }.
import { handleCors, jsonResponse } from '../_shared/cors.ts';

Deno.serve(async (req: Request) => {
  const preflight = handleCors(req);
  if (preflight) return preflight;
  let name: unknown = 'World';
  if (req.method === 'POST') {
    try {
      name = ((await req.json()) as { name?: unknown }).name;
    } catch {
      return jsonResponse({ error: 'Body must be JSON: { "name": string }' }, 400);
    }
  }
  if (typeof name !== 'string' || name.length === 0) return jsonResponse({ error: '"name" must be a non-empty string' }, 400);
  return jsonResponse({ message: `Hello ${name}!` });
});
