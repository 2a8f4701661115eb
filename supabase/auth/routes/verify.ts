/**
 * POST /verify (token + email, or token_hash → session JSON) and GET /verify (mailed link → 303 with the session in
 * the fragment, or for a `pkce_` link the auth code in the query, or the error).
 */
import type { Handler } from '../context.ts';
import { VerifyBody, readBody, validateEmail, validatePhone } from '../body.ts';
import { AuthError, badRequest, forbidden, jsonResponse } from '../errors.ts';
import { PKCE_PREFIX, tokenHashOf } from '../one-time-tokens.ts';
import { issueAuthCode } from '../pkce.ts';
import { redirectTarget } from '../redirect.ts';
import { clientMeta, startSession } from '../sessions.ts';
import { FLOW_METHOD, SINGLE_CONFIRMATION, isVerifyType, redeem, type Redemption } from '../verification.ts';
import { textResponse } from '../../shared/http.ts';

const unsupported = () => new AuthError(422, 'validation_failed', 'Unsupported verification type');

/** A typed code or a token hash may have been stored for an implicit or a PKCE flow (GoTrue's isOtpValid accepts both). */
const eitherFlow = (hash: string) => [hash, PKCE_PREFIX + hash];

export const verifyPost: Handler = async (req, ctx) => {
  const body = await readBody(req, VerifyBody);
  if (!body.type) throw badRequest('validation_failed', 'Verify requires a verification type');
  const token = body.token?.replaceAll('-', '') ?? '';
  const tokenHash = body.token_hash ?? '';
  if ((token === '') === (tokenHash === '')) throw badRequest('validation_failed', 'Verify requires either a token or a token hash');
  let redemption: Omit<Redemption, 'type'>;
  if (token !== '') {
    if (Boolean(body.phone) === Boolean(body.email)) throw badRequest('validation_failed', 'Only an email address or phone number should be provided on verify');
    // GoTrue's token hash is sha224(address + code) for a phone number as for an email address.
    const address = body.phone ? validatePhone(body.phone) : validateEmail(body.email ?? '');
    redemption = { tokenHashes: eitherFlow(tokenHashOf(address, token)), address };
  } else {
    if (body.email || body.phone || body.redirect_to) throw badRequest('validation_failed', 'Only the token_hash and type should be provided');
    redemption = { tokenHashes: eitherFlow(tokenHash), address: null };
  }
  if (!isVerifyType(body.type)) throw unsupported();
  const type = body.type;
  const meta = clientMeta(req);
  const session = await ctx.db.tx(async (tx) => {
    const done = await redeem(tx, ctx.config, { ...redemption, type }, meta, () => forbidden('otp_expired', 'Token has expired or is invalid'));
    return done.kind === 'pending' ? null : startSession(tx, ctx.config, done.userId, 'otp', meta);
  });
  // As GoTrue: the first half of a secure email change answers with a message, `code` as a string.
  return jsonResponse(200, session ?? { msg: SINGLE_CONFIRMATION, code: '200' });
};

/** GoTrue's oauthErrorMap: the OAuth `error` of a redirect, by HTTP status. */
const OAUTH_ERROR: Record<number, string> = { 400: 'invalid_request', 401: 'unauthorized_client', 403: 'access_denied', 500: 'server_error', 503: 'temporarily_unavailable' };

function redirect(location: string): Response {
  return textResponse(null, { status: 303, headers: { location } });
}

const sorted = (params: Record<string, string>) => new URLSearchParams(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** As GoTrue (Go's url.Values.Encode): the URL as given, any old fragment dropped, then `#` and the sorted parameters. */
function withFragment(base: string, params: Record<string, string>): string {
  return `${base.split('#')[0]}#${sorted(params).toString()}`;
}

/** As GoTrue's prepPKCERedirectURL (Go's url.URL): these parameters merged into the URL's query, re-encoded in key order. */
function withQuery(base: string, params: Record<string, string>): string {
  const hashAt = base.indexOf('#');
  const [beforeHash, hash] = hashAt < 0 ? [base, ''] : [base.slice(0, hashAt), base.slice(hashAt)];
  const queryAt = beforeHash.indexOf('?');
  const [path, query] = queryAt < 0 ? [beforeHash, ''] : [beforeHash.slice(0, queryAt), beforeHash.slice(queryAt + 1)];
  return `${path}?${sorted({ ...Object.fromEntries(new URLSearchParams(query)), ...params }).toString()}${hash}`;
}

type Outcome = { kind: 'session'; fragment: Record<string, string> } | { kind: 'code'; code: string } | { kind: 'pending' };

export const verifyGet: Handler = async (req, ctx) => {
  // A HEAD (link scanners, previews) must not spend the one-time token.
  if (req.method === 'HEAD') throw new AuthError(405, 'method_not_allowed', 'Method Not Allowed');
  const url = new URL(req.url);
  const type = url.searchParams.get('type') ?? '';
  const token = (url.searchParams.get('token') ?? '').replaceAll('-', '');
  const redirectTo = redirectTarget(ctx.config, url.searchParams.get('redirect_to'));
  if (type === '') throw badRequest('validation_failed', 'Verify requires a verification type');
  if (token === '') throw badRequest('validation_failed', 'Verify requires a token or a token hash');
  const pkce = token.startsWith(PKCE_PREFIX);
  try {
    if (!isVerifyType(type) || type === 'email' || type === 'sms' || type === 'phone_change') throw unsupported();
    const meta = clientMeta(req);
    const outcome = await ctx.db.tx(async (tx): Promise<Outcome> => {
      const done = await redeem(tx, ctx.config, { type, tokenHashes: [token], address: null }, meta, () =>
        forbidden('otp_expired', 'Email link is invalid or has expired'),
      );
      if (done.kind === 'pending') return done;
      if (pkce) return { kind: 'code', code: await issueAuthCode(tx, done.userId, FLOW_METHOD[type]) };
      const s = await startSession(tx, ctx.config, done.userId, 'otp', meta);
      const fragment = {
        access_token: s.access_token,
        token_type: s.token_type,
        expires_in: String(s.expires_in),
        expires_at: String(s.expires_at),
        refresh_token: s.refresh_token,
        type,
      };
      return { kind: 'session', fragment };
    });
    if (outcome.kind === 'code') return redirect(withQuery(redirectTo, { code: outcome.code }));
    if (outcome.kind === 'session') return redirect(withFragment(redirectTo, outcome.fragment));
    // GoTrue's prepRedirectURL: the message in the fragment, and for a PKCE flow in the query too.
    const message = { message: SINGLE_CONFIRMATION };
    return redirect(withFragment(pkce ? withQuery(redirectTo, message) : redirectTo, message));
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    const oauth = OAUTH_ERROR[err.status];
    const params = { ...(oauth ? { error: oauth } : {}), error_code: err.code, error_description: err.message };
    // As GoTrue: an implicit flow's error redirect keeps no query parameters; a PKCE flow's carries the error in the query too.
    return redirect(withFragment(pkce ? withQuery(redirectTo, params) : redirectTo.split(/[?#]/)[0]!, params));
  }
};
