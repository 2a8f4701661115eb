/** GoTrue's sanitizeUser: what a new unconfirmed user would look like, so a repeated signup does not tell that the address is taken. */
import { randomUUID } from 'node:crypto';

export function lookAlikeUser(who: { email: string } | { phone: string }, data: Record<string, unknown>): Record<string, unknown> {
  const now = new Date().toISOString();
  const provider = 'email' in who ? 'email' : 'phone';
  return {
    id: randomUUID(),
    aud: 'authenticated',
    role: '',
    email: 'email' in who ? who.email : '',
    phone: 'phone' in who ? who.phone : '',
    confirmation_sent_at: now,
    app_metadata: { provider, providers: [provider] },
    user_metadata: data,
    identities: [],
    created_at: now,
    updated_at: now,
    is_anonymous: false,
  };
}
