/** Recognising Postgres errors the auth service answers for (a concurrent duplicate insert). */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}
