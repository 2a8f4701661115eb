/**
 * PKCE flows (RFC 7636, as GoTrue runs them): the code challenge a request brings is kept in auth.flow_state;
 * opening the mailed link (GET /verify) gives the flow a one-time auth code, stored only as a digest; and
 * POST /token?grant_type=pkce exchanges that code with the code verifier, once.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Queryable } from './db.ts';
import { badRequest, notFound, unprocessable } from './errors.ts';

export type CodeChallengeMethod = 's256' | 'plain';

export interface PkceChallenge {
  challenge: string;
  method: CodeChallengeMethod;
}

/** GoTrue's AuthenticationMethod of a flow: what GET /verify looks the flow up by, and the session's `amr` method after the exchange. */
export type FlowMethod = 'email/signup' | 'magiclink' | 'recovery' | 'invite' | 'email_change';

const CHALLENGE = /^[a-zA-Z._~0-9-]+$/;

/** GoTrue's validatePKCEParams: both fields or neither; null when the request is not a PKCE flow. */
export function pkceChallenge(body: { code_challenge?: string | null | undefined; code_challenge_method?: string | null | undefined }): PkceChallenge | null {
  const challenge = body.code_challenge ?? '';
  const rawMethod = body.code_challenge_method ?? '';
  if ((challenge === '') !== (rawMethod === '')) throw badRequest('validation_failed', 'PKCE flow requires code_challenge_method and code_challenge');
  if (challenge === '') return null;
  if (challenge.length < 43 || challenge.length > 128) throw badRequest('validation_failed', 'code challenge has to be between 43 and 128 characters');
  if (!CHALLENGE.test(challenge)) {
    throw badRequest('validation_failed', 'code challenge can only contain alphanumeric characters, hyphens, periods, underscores and tildes');
  }
  const method = rawMethod.toLowerCase();
  if (method !== 's256' && method !== 'plain') throw badRequest('validation_failed', `unsupported code_challenge method ${JSON.stringify(rawMethod)}`);
  return { challenge, method };
}

const digest = (code: string) => createHash('sha256').update(code).digest('hex');

/** Records a flow for the user, inside the transaction that sends its mail; the user's flows older than a day go. */
export async function createFlowState(tx: Queryable, userId: string, pkce: PkceChallenge, providerType: string, method: FlowMethod): Promise<void> {
  await tx.query(`delete from auth.flow_state where user_id = $1 and created_at < now() - interval '1 day'`, [userId]);
  await tx.query(
    `insert into auth.flow_state (user_id, code_challenge, code_challenge_method, provider_type, authentication_method)
     values ($1, $2, $3, $4, $5)`,
    [userId, pkce.challenge, pkce.method, providerType, method],
  );
}

/** GoTrue's issueAuthCode: the user's latest flow of this method gets a fresh auth code (returned once, stored as a digest). */
export async function issueAuthCode(tx: Queryable, userId: string, method: FlowMethod): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `select id from auth.flow_state where user_id = $1 and authentication_method = $2
      order by created_at desc limit 1 for update`,
    [userId, method],
  );
  if (!rows[0]) throw unprocessable('flow_state_not_found', 'No valid flow state found for user.');
  const code = randomUUID();
  await tx.query('update auth.flow_state set auth_code_hash = $2, auth_code_issued_at = now(), updated_at = now() where id = $1', [rows[0].id, digest(code)]);
  return code;
}

function verifierMatches(pkce: PkceChallenge, verifier: string): boolean {
  const expected = Buffer.from(pkce.challenge);
  const actual = Buffer.from(pkce.method === 's256' ? createHash('sha256').update(verifier).digest('base64url') : verifier);
  // Lengths are not secret (the challenge's is fixed by its method); the contents are compared in constant time.
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export interface ExchangedFlow {
  userId: string;
  method: FlowMethod;
  providerType: string;
}

/**
 * GoTrue's PKCE grant checks, in its order: the code must name a flow (404 flow_state_not_found), the flow must be
 * fresh (422 flow_state_expired; a magic link counts from when its code was issued, every other flow from its
 * creation) and the verifier must match the challenge (400 bad_code_verifier). A matching exchange deletes the flow,
 * so a code works once.
 */
export async function exchangeAuthCode(tx: Queryable, authCode: string, verifier: string, expirySeconds: number): Promise<ExchangedFlow> {
  const { rows } = await tx.query<{
    id: string;
    user_id: string | null;
    code_challenge: string;
    code_challenge_method: CodeChallengeMethod;
    provider_type: string;
    authentication_method: FlowMethod;
    expired: boolean;
  }>(
    `select id, user_id, code_challenge, code_challenge_method, provider_type, authentication_method,
            coalesce(case when authentication_method = 'magiclink' then auth_code_issued_at end, created_at)
              < now() - make_interval(secs => $2) as expired
       from auth.flow_state where auth_code_hash = $1 for update`,
    [digest(authCode), expirySeconds],
  );
  const flow = rows[0];
  if (!flow || !flow.user_id) throw notFound('flow_state_not_found', 'invalid flow state, no valid flow state found');
  if (flow.expired) throw unprocessable('flow_state_expired', 'invalid flow state, flow state has expired');
  if (!verifierMatches({ challenge: flow.code_challenge, method: flow.code_challenge_method }, verifier)) {
    throw badRequest('bad_code_verifier', 'code challenge does not match previously saved code verifier');
  }
  await tx.query('delete from auth.flow_state where id = $1', [flow.id]);
  return { userId: flow.user_id, method: flow.authentication_method, providerType: flow.provider_type };
}
