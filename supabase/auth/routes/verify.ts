/** POST /verify (token + email, or token_hash → session JSON) and GET /verify (mailed link → 303 with the session or error in the fragment). */
import type { Handler } from '../context.ts';
import { VerifyBody, readBody, validateEmail } from '../body.ts';
import { AuthError, badRequest, forbidden, jsonResponse } from '../errors.ts';
import { redirectTarget } from '../redirect.ts';
import { clientMeta } from '../sessions.ts';
import { tokenHashOf } from '../one-time-tokens.ts';
import { isVerifyType, redeem, type Redemption } from '../verification.ts';
import { textResponse } from '../../shared/http.ts';

const unsupported = () => new AuthError(422, 'validation_failed', 'Unsupported verification type');

export const verifyPost: Handler = async (req, ctx) => {
  const body = await readBody(req, VerifyBody);
  if (!body.type) throw badRequest('validation_failed', 'Verify requires a verification type');
  const token = body.token?.replaceAll('-', '') ?? '';
  const tokenHash = body.token_hash ?? '';
  if ((token === '') === (tokenHash === '')) throw badRequest('validation_failed', 'Verify requires either a token or a token hash');
  let redemption: Omit<Redemption, 'type'>;
  if (token !== '') {
    if (body.phone || !body.email) throw badRequest('validation_failed', 'Only an email address or phone number should be provided on verify');
    const email = validateEmail(body.email);
    redemption = { tokenHash: tokenHashOf(email, token), email };
  } else {
    if (body.email || body.phone || body.redirect_to) throw badRequest('validation_failed', 'Only the token_hash and type should be provided');
    redemption = { tokenHash, email: null };
  }
  if (!isVerifyType(body.type)) throw unsupported();
  const type = body.type;
  const meta = clientMeta(req);
  const session = await ctx.db.tx((tx) =>
    redeem(tx, ctx.config, { ...redemption, type }, meta, () => forbidden('otp_expired', 'Token has expired or is invalid')),
  );
  return jsonResponse(200, session);
};

/** GoTrue's oauthErrorMap: the OAuth `error` of a redirect, by HTTP status. */
const OAUTH_ERROR: Record<number, string> = { 400: 'invalid_request', 401: 'unauthorized_client', 403: 'access_denied', 500: 'server_error', 503: 'temporarily_unavailable' };

function redirect(location: string): Response {
  return textResponse(null, { status: 303, headers: { location } });
}

/** As GoTrue (Go's url.Values.Encode): the URL as given, any old fragment dropped, then `#` and the sorted parameters. */
function withFragment(base: string, params: Record<string, string>): string {
  const q = new URLSearchParams(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${base.split('#')[0]}#${q.toString()}`;
}

export const verifyGet: Handler = async (req, ctx) => {
  // A HEAD (link scanners, previews) must not spend the one-time token.
  if (req.method === 'HEAD') throw new AuthError(405, 'method_not_allowed', 'Method Not Allowed');
  const url = new URL(req.url);
  const type = url.searchParams.get('type') ?? '';
  const token = (url.searchParams.get('token') ?? '').replaceAll('-', '');
  const redirectTo = redirectTarget(ctx.config, url.searchParams.get('redirect_to'));
  if (type === '') throw badRequest('validation_failed', 'Verify requires a verification type');
  if (token === '') throw badRequest('validation_failed', 'Verify requires a token or a token hash');
  try {
    if (!isVerifyType(type) || type === 'email') throw unsupported();
    const meta = clientMeta(req);
    const s = await ctx.db.tx((tx) =>
      redeem(tx, ctx.config, { type, tokenHash: token, email: null }, meta, () => forbidden('otp_expired', 'Email link is invalid or has expired')),
    );
    return redirect(
      withFragment(redirectTo, {
        access_token: s.access_token,
        token_type: s.token_type,
        expires_in: String(s.expires_in),
        expires_at: String(s.expires_at),
        refresh_token: s.refresh_token,
        type,
      }),
    );
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    const oauth = OAUTH_ERROR[err.status];
    // As GoTrue: an error redirect keeps no query parameters.
    return redirect(withFragment(redirectTo.split(/[?#]/)[0]!, { ...(oauth ? { error: oauth } : {}), error_code: err.code, error_description: err.message }));
  }
};
