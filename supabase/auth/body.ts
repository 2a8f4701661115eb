/** Request bodies: JSON parsed once and checked with zod, failures as GoTrue's bad_json / validation_failed. */
import { z } from 'zod';
import { badRequest } from './errors.ts';
import type { ServiceRequest } from '../gateway/types.ts';

const MAX_BODY = 1 << 20;

export async function readBody<S extends z.ZodType>(req: ServiceRequest, schema: S): Promise<z.output<S>> {
  const text = await req.text();
  if (text.length > MAX_BODY) throw badRequest('validation_failed', 'Request body too large');
  let value: unknown = {};
  if (text.trim() !== '') {
    try {
      value = JSON.parse(text) as unknown;
    } catch (err) {
      throw badRequest('bad_json', `Could not parse request body as JSON: ${(err as Error).message}`);
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length ? ` at ${issue.path.join('.')}` : '';
    throw badRequest('bad_json', `Could not parse request body as JSON: ${issue?.message ?? 'invalid body'}${where}`);
  }
  return parsed.data;
}

const metadata = z.record(z.string(), z.unknown());

/** What supabase-js with `flowType: 'pkce'` adds to a request that mails a link (checked by pkce.ts). */
const pkce = {
  code_challenge: z.string().nullish(),
  code_challenge_method: z.string().nullish(),
};

export const SignupBody = z.object({
  email: z.string().optional(),
  phone: z.string().optional(),
  password: z.string().optional(),
  data: metadata.nullish(),
  ...pkce,
});

export const PasswordGrantBody = z.object({
  email: z.string().optional(),
  phone: z.string().optional(),
  password: z.string().optional(),
});

export const RefreshGrantBody = z.object({ refresh_token: z.string().optional() });

export const PkceGrantBody = z.object({ auth_code: z.string().optional(), code_verifier: z.string().optional() });

export const UpdateUserBody = z.object({
  email: z.string().optional(),
  phone: z.string().optional(),
  password: z.string().optional(),
  data: metadata.nullish(),
  nonce: z.string().optional(),
  ...pkce,
});

export const AdminUserBody = z.object({
  id: z.uuid().optional(),
  aud: z.string().optional(),
  role: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  password: z.string().optional(),
  email_confirm: z.boolean().optional(),
  phone_confirm: z.boolean().optional(),
  user_metadata: metadata.nullish(),
  app_metadata: metadata.nullish(),
  ban_duration: z.string().optional(),
});

export const OtpBody = z.object({
  email: z.string().optional(),
  phone: z.string().optional(),
  create_user: z.boolean().default(true),
  data: metadata.nullish(),
  ...pkce,
});

export const MagicLinkBody = z.object({ email: z.string().optional(), data: metadata.nullish(), ...pkce });

export const RecoverBody = z.object({ email: z.string().optional(), ...pkce });

export const InviteBody = z.object({ email: z.string().optional(), data: metadata.nullish() });

export const VerifyBody = z.object({
  type: z.string().optional(),
  token: z.string().optional(),
  token_hash: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  redirect_to: z.string().optional(),
});

export const GenerateLinkBody = z.object({
  type: z.string().optional(),
  email: z.string().optional(),
  new_email: z.string().optional(),
  password: z.string().optional(),
  data: metadata.nullish(),
  redirect_to: z.string().optional(),
});

export const AdminDeleteBody = z.object({ should_soft_delete: z.boolean().optional() });

/** GoTrue's email check: short enough, one @, a dot in the domain, no spaces. */
export function validateEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length > 255) throw badRequest('validation_failed', 'An email address is too long');
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw badRequest('validation_failed', 'Unable to validate email address: invalid format');
  return email;
}

/** GoTrue's phone check: E.164 digits, stored without the leading +. */
export function validatePhone(raw: string): string {
  const phone = raw.replace(/[\s()-]/g, '').replace(/^\+/, '');
  if (!/^[1-9]\d{7,14}$/.test(phone)) throw badRequest('validation_failed', 'Invalid phone number format (E.164 required)');
  return phone;
}

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration ("24h", "1h30m", "90s") in milliseconds, or null when it is not one. */
export function parseGoDuration(text: string): number | null {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  if (!/^(\d+(?:\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return null;
  let total = 0;
  for (const m of text.matchAll(re)) total += Number(m[1]) * UNITS[m[2]!]!;
  return total;
}
