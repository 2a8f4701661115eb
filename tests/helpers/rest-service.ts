/** Calls a REST service function directly (no HTTP), as the gateway would after checking an anon project key. */
import pino from 'pino';
import type { Service, ServiceRequest } from '../../supabase/gateway/types.ts';

export function serviceRequest(method: string, path: string, headers: Record<string, string>, body: string | null): ServiceRequest {
  const bytes = body === null ? new Uint8Array() : new TextEncoder().encode(body);
  return {
    method,
    url: `http://localhost/rest/v1${path}`,
    headers: new Headers(headers),
    body: null,
    signal: new AbortController().signal,
    arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    text: async () => body ?? '',
    json: async () => JSON.parse(body ?? 'null') as unknown,
  };
}

export interface ServiceAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/** `path` is below /rest/v1 (`/items?id=eq.1`). */
export async function callService(service: Service, method: string, path: string, headers: Record<string, string> = {}, body: string | null = null): Promise<ServiceAnswer> {
  const subpath = path.split('?')[0]!;
  const res = await service(serviceRequest(method, path, headers, body), { requestId: 'test', subpath, apikeyClaims: { role: 'anon' }, log: pino({ level: 'silent' }) });
  return { status: res.status, headers: res.headers, body: await res.text() };
}
