/** /admin/users and /admin/users/{id} for the service role: list, create, read, update, delete. */
import type { AuthContext, Handler } from '../context.ts';
import { AdminDeleteBody, AdminUserBody, parseGoDuration, readBody, validateEmail, validatePhone } from '../body.ts';
import { audit, type Actor } from '../audit.ts';
import type { Queryable } from '../db.ts';
import { requireAdmin } from '../caller.ts';
import { badRequest, jsonResponse, notFound, unprocessable, weakPassword } from '../errors.ts';
import { isUniqueViolation } from '../pg-errors.ts';
import { clientMeta, endSessions } from '../sessions.ts';
import { findUserByEmail, findUserById, findUserByPhone, insertUser, listUsersPage, mergeMetadata, userJson, type UserRow } from '../users.ts';

const ADMIN: Actor = { id: '00000000-0000-0000-0000-000000000000', email: 'service_role' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const emailExists = () => unprocessable('email_exists', 'A user with this email address has already been registered');
const phoneExists = () => unprocessable('phone_exists', 'A user with this phone number has already been registered');

function positiveInt(raw: string | null, fallback: number, max: number): number {
  const n = raw === null ? NaN : Number.parseInt(raw, 10);
  return Number.isFinite(n) && n > 0 ? Math.min(n, max) : fallback;
}

function banUntil(duration: string | undefined): Date | null | undefined {
  if (duration === undefined || duration === '') return undefined;
  if (duration === 'none') return null;
  const ms = parseGoDuration(duration);
  if (ms === null) throw badRequest('validation_failed', `invalid format for ban duration: time: invalid duration ${JSON.stringify(duration)}`);
  return new Date(Date.now() + ms);
}

async function checkPassword(ctx: AuthContext, password: string | undefined): Promise<string | null> {
  if (password === undefined) return null;
  if ([...password].length < ctx.config.passwordMinLength) throw weakPassword(ctx.config.passwordMinLength);
  return ctx.hasher.hash(password);
}

async function loadTarget(db: Queryable, id: string | undefined, forUpdate = false): Promise<UserRow> {
  if (!id || !UUID.test(id)) throw notFound('user_not_found', 'User not found');
  const user = await findUserById(db, id, forUpdate);
  if (!user) throw notFound('user_not_found', 'User not found');
  return user;
}

export const listUsers: Handler = async (req, ctx) => {
  await requireAdmin(req, ctx);
  const url = new URL(req.url);
  const page = positiveInt(url.searchParams.get('page'), 1, 1_000_000);
  const perPage = positiveInt(url.searchParams.get('per_page'), 50, 1000);
  const { users, total } = await listUsersPage(ctx.db.pool, perPage, (page - 1) * perPage);
  const last = Math.max(1, Math.ceil(total / perPage));
  const links = [];
  if (page < last) links.push(`</admin/users?page=${page + 1}&per_page=${perPage}>; rel="next"`);
  links.push(`</admin/users?page=${last}&per_page=${perPage}>; rel="last"`);
  return jsonResponse(200, { users: users.map(userJson), aud: 'authenticated' }, { 'x-total-count': String(total), link: links.join(', ') });
};

export const createUser: Handler = async (req, ctx) => {
  await requireAdmin(req, ctx);
  const body = await readBody(req, AdminUserBody);
  const email = body.email ? validateEmail(body.email) : null;
  const phone = body.phone ? validatePhone(body.phone) : null;
  if (!email && !phone) throw badRequest('validation_failed', 'Unable to validate email address: invalid format');
  const passwordHash = await checkPassword(ctx, body.password);
  const bannedUntil = banUntil(body.ban_duration);
  const meta = clientMeta(req);
  try {
    const user = await ctx.db.tx(async (tx) => {
      if (email && (await findUserByEmail(tx, email))) throw emailExists();
      if (phone && (await findUserByPhone(tx, phone))) throw phoneExists();
      const id = await insertUser(tx, {
        ...(body.id ? { id: body.id } : {}),
        email,
        phone,
        passwordHash,
        confirmed: body.email_confirm === true,
        phoneConfirmed: body.phone_confirm === true,
        role: body.role || 'authenticated',
        appMetadata: body.app_metadata ?? {},
        userMetadata: body.user_metadata ?? {},
        bannedUntil: bannedUntil ?? null,
      });
      await audit(tx, ADMIN, 'user_signedup', meta.ip, { user_id: id, user_email: email ?? '', user_phone: phone ?? '' });
      return findUserById(tx, id);
    });
    return jsonResponse(200, userJson(user!));
  } catch (err) {
    if (isUniqueViolation(err)) throw email ? emailExists() : phoneExists();
    throw err;
  }
};

export const getUserById: Handler = async (req, ctx, params) => {
  await requireAdmin(req, ctx);
  return jsonResponse(200, userJson(await loadTarget(ctx.db.pool, params.id)));
};

export const updateUserById: Handler = async (req, ctx, params) => {
  await requireAdmin(req, ctx);
  await loadTarget(ctx.db.pool, params.id);
  const body = await readBody(req, AdminUserBody);
  const email = body.email ? validateEmail(body.email) : null;
  const phone = body.phone ? validatePhone(body.phone) : null;
  const passwordHash = await checkPassword(ctx, body.password);
  const bannedUntil = banUntil(body.ban_duration);
  const meta = clientMeta(req);
  try {
    const user = await ctx.db.tx(async (tx) => {
      const u = await loadTarget(tx, params.id, true);
      const set = async (sql: string, values: unknown[]) => tx.query(`update auth.users set ${sql}, updated_at = now() where id = $1`, [u.id, ...values]);
      if (email && email !== u.email) {
        const other = await findUserByEmail(tx, email);
        if (other && other.id !== u.id) throw emailExists();
        await set('email = $2', [email]);
        await tx.query(`update auth.identities set identity_data = identity_data || jsonb_build_object('email', $2::text) where user_id = $1 and provider = 'email'`, [u.id, email]);
      }
      if (phone && phone !== u.phone) {
        const other = await findUserByPhone(tx, phone);
        if (other && other.id !== u.id) throw phoneExists();
        await set('phone = $2', [phone]);
      }
      if (body.email_confirm === true) await set('email_confirmed_at = coalesce(email_confirmed_at, now())', []);
      if (body.phone_confirm === true) await set('phone_confirmed_at = coalesce(phone_confirmed_at, now())', []);
      if (body.role) await set('role = $2', [body.role]);
      if (body.user_metadata) await set('raw_user_meta_data = $2', [mergeMetadata(u.raw_user_meta_data, body.user_metadata)]);
      if (body.app_metadata) await set('raw_app_meta_data = $2', [mergeMetadata(u.raw_app_meta_data, body.app_metadata)]);
      if (passwordHash) {
        await set('encrypted_password = $2', [passwordHash]);
        await endSessions(tx, u.id, null, 'global');
      }
      if (bannedUntil !== undefined) {
        await set('banned_until = $2', [bannedUntil]);
        if (bannedUntil) await endSessions(tx, u.id, null, 'global');
      }
      await audit(tx, ADMIN, 'user_modified', meta.ip, { user_id: u.id, user_email: u.email ?? '', user_phone: u.phone ?? '' });
      return findUserById(tx, u.id);
    });
    return jsonResponse(200, userJson(user!));
  } catch (err) {
    if (isUniqueViolation(err)) throw email ? emailExists() : phoneExists();
    throw err;
  }
};

export const deleteUserById: Handler = async (req, ctx, params) => {
  await requireAdmin(req, ctx);
  await loadTarget(ctx.db.pool, params.id);
  const body = await readBody(req, AdminDeleteBody);
  const meta = clientMeta(req);
  await ctx.db.tx(async (tx) => {
    const u = await loadTarget(tx, params.id, true);
    await audit(tx, ADMIN, 'user_deleted', meta.ip, { user_id: u.id, user_email: u.email ?? '', user_phone: u.phone ?? '' });
    if (!body.should_soft_delete) {
      await tx.query('delete from auth.users where id = $1', [u.id]);
    } else if (!u.deleted_at) {
      // Soft delete: the row stays (foreign keys keep pointing at it) but can never sign in or be found again.
      await tx.query(
        `update auth.users set deleted_at = now(), updated_at = now(), email = null, phone = null, encrypted_password = '',
                raw_user_meta_data = '{}'::jsonb where id = $1`,
        [u.id],
      );
      await tx.query('delete from auth.identities where user_id = $1', [u.id]);
      await endSessions(tx, u.id, null, 'global');
    }
  });
  return jsonResponse(200, {});
};
