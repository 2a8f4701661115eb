/** Where mailed links and GET /verify send the browser: a requested URL on the allow list, else the site URL. */
import type { AuthConfig } from './config.ts';

function allowed(config: AuthConfig, target: URL): boolean {
  const site = new URL(config.siteUrl);
  if (target.origin === site.origin) return true;
  return config.redirectUrls.some((prefix) => target.href.startsWith(prefix));
}

/** GoTrue's getRedirectURLOrReferrer, without the Referer fallback: the requested URL when allowed, else site_url. */
export function redirectTarget(config: AuthConfig, requested: string | null | undefined): string {
  if (requested) {
    try {
      const target = new URL(requested);
      if ((target.protocol === 'http:' || target.protocol === 'https:') && allowed(config, target)) return requested;
    } catch {
      /* not a URL: fall back to the site URL */
    }
  }
  return config.siteUrl;
}

/** The `redirect_to` query parameter that supabase-js adds for emailRedirectTo / redirectTo. */
export function requestedRedirect(req: { url: string }): string | null {
  return new URL(req.url).searchParams.get('redirect_to');
}
