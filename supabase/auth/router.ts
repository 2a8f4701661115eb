/** Maps method + subpath to a handler: GoTrue's routes of this slice, `{id}` segments captured as params. */
import type { Handler } from './context.ts';
import { createUser, deleteUserById, getUserById, listUsers, updateUserById } from './routes/admin.ts';
import { health, jwks, settings } from './routes/meta.ts';
import { generateLink } from './routes/generate-link.ts';
import { invite } from './routes/invite.ts';
import { magiclink, otp } from './routes/otp.ts';
import { recover } from './routes/recover.ts';
import { signup } from './routes/signup.ts';
import { token } from './routes/token.ts';
import { getUser, logout, updateUser } from './routes/user.ts';
import { verifyGet, verifyPost } from './routes/verify.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface Route {
  pattern: string[];
  handlers: Partial<Record<Method, Handler>>;
}

const ROUTES: Route[] = [
  { pattern: ['health'], handlers: { GET: health } },
  { pattern: ['settings'], handlers: { GET: settings } },
  { pattern: ['.well-known', 'jwks.json'], handlers: { GET: jwks } },
  { pattern: ['signup'], handlers: { POST: signup } },
  { pattern: ['token'], handlers: { POST: token } },
  { pattern: ['user'], handlers: { GET: getUser, PUT: updateUser } },
  { pattern: ['logout'], handlers: { POST: logout } },
  { pattern: ['otp'], handlers: { POST: otp } },
  { pattern: ['magiclink'], handlers: { POST: magiclink } },
  { pattern: ['verify'], handlers: { GET: verifyGet, POST: verifyPost } },
  { pattern: ['recover'], handlers: { POST: recover } },
  { pattern: ['invite'], handlers: { POST: invite } },
  { pattern: ['admin', 'generate_link'], handlers: { POST: generateLink } },
  { pattern: ['admin', 'users'], handlers: { GET: listUsers, POST: createUser } },
  { pattern: ['admin', 'users', ':id'], handlers: { GET: getUserById, PUT: updateUserById, DELETE: deleteUserById } },
];

export type Match =
  | { kind: 'found'; handler: Handler; params: Record<string, string> }
  | { kind: 'not_found' }
  | { kind: 'method_not_allowed' };

export function match(method: string, subpath: string): Match {
  const segments = subpath.split('/').filter((s) => s !== '');
  for (const route of ROUTES) {
    if (route.pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = route.pattern.every((p, i) => {
      const seg = segments[i]!;
      if (p.startsWith(':')) {
        params[p.slice(1)] = decodeURIComponent(seg);
        return true;
      }
      return p === seg;
    });
    if (!ok) continue;
    const verb = (method === 'HEAD' ? 'GET' : method) as Method;
    const handler = route.handlers[verb];
    return handler ? { kind: 'found', handler, params } : { kind: 'method_not_allowed' };
  }
  return { kind: 'not_found' };
}
