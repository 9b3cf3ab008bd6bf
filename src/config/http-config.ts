import { ConfigError } from './config-error';

/**
 * CORS_ORIGINS: a comma-separated allow-list of origins (`https://app.example.com`), for REST and
 * Socket.IO alike; empty (the default) allows no cross-origin access. `*` is refused: the list is
 * the point.
 */
export function corsOrigins(env: Record<string, string | undefined>): string[] {
  const raw = (env.CORS_ORIGINS ?? '').trim();
  if (!raw) return [];
  return raw.split(',').map((entry) => {
    const value = entry.trim();
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    // An origin is scheme, host and port only: `new URL(x).origin` gives back exactly x.
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== value.replace(/\/$/, '')) {
      throw new ConfigError(`CORS_ORIGINS must list origins like https://app.example.com (scheme, host, optional port; no path, no *), got "${value}"`);
    }
    return url.origin;
  });
}
