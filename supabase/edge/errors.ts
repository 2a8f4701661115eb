/** The platform's own answers for /functions/v1 (not the function's): JSON `{ error }` with Supabase's status and `sb-error-code`. */
import { textResponse } from '../shared/http.ts';

export type EdgeErrorCode = 'NOT_FOUND' | 'BOOT_ERROR' | 'WORKER_ERROR' | 'IDLE_TIMEOUT' | 'WORKER_LIMIT';

const STATUS: Record<EdgeErrorCode, number> = {
  NOT_FOUND: 404,
  BOOT_ERROR: 503,
  WORKER_ERROR: 500,
  IDLE_TIMEOUT: 504,
  WORKER_LIMIT: 546,
};

export function edgeError(code: EdgeErrorCode, error: string): Response {
  return textResponse(JSON.stringify({ error, code }), {
    status: STATUS[code],
    headers: { 'content-type': 'application/json; charset=utf-8', 'sb-error-code': code },
  });
}
