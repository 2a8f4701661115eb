/** GET /health, GET /settings and GET /.well-known/jwks.json, with GoTrue's bodies. */
import type { Handler } from '../context.ts';
import { jsonResponse } from '../errors.ts';

const PROVIDERS = [
  'anonymous_users', 'apple', 'azure', 'bitbucket', 'discord', 'facebook', 'figma', 'fly', 'github', 'gitlab', 'google',
  'keycloak', 'kakao', 'linkedin_oidc', 'notion', 'spotify', 'slack_oidc', 'workos', 'twitch', 'twitter', 'zoom',
];

export const health: Handler = async () =>
  jsonResponse(200, { version: 'convo', name: 'GoTrue', description: 'GoTrue is a user registration and authentication API' });

export const settings: Handler = async (_req, { config }) => {
  const external: Record<string, boolean> = {};
  for (const p of PROVIDERS) external[p] = false;
  external.email = true;
  external.anonymous_users = config.anonymousSignIns;
  external.phone = config.phoneSignIns;
  return jsonResponse(200, {
    external,
    disable_signup: config.disableSignup,
    mailer_autoconfirm: config.mailerAutoconfirm,
    phone_autoconfirm: config.smsAutoconfirm,
    sms_provider: '',
    saml_enabled: false,
  });
};

/** The public half of the signing key; HS256 keys are symmetric and never published, so without one the set is empty. */
export const jwks: Handler = async (_req, { config }) =>
  jsonResponse(200, { keys: config.signingKey ? [config.signingKey.publicJwk] : [] }, { 'cache-control': 'public, max-age=600' });
