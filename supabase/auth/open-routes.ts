/** The auth routes a browser reaches without a project key (Kong's `auth-v1-open`): the mailed links' GET /verify. */
const OPEN = new Set(['verify']);

/** For the gateway's `isOpen`: true for `/auth/v1/verify`, whose links are opened from a mail client with no apikey. */
export function isOpenAuthPath(subpath: string): boolean {
  return OPEN.has(subpath.split('/').filter((s) => s !== '').join('/'));
}
