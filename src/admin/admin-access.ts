import { createHash, timingSafeEqual } from 'node:crypto';

/** Where the queue dashboard lives. */
export const ADMIN_PATH = '/admin/queues';

export type AdminAccess = 'granted' | 'no credentials' | 'wrong credentials';

type Headers = Record<string, string | string[] | undefined>;

/**
 * Who may open the dashboard. The contract's way is `Authorization: Bearer <ADMIN_TOKEN>`. A
 * browser cannot send that header when it navigates, so the same token is also accepted as the
 * password of HTTP Basic authentication (any user name): the browser asks for it once and sends
 * it with every request of the dashboard, its API calls included. Neither way works without the
 * token, so the contract's rule holds.
 */
export function adminAccess(headers: Headers, adminToken: string): AdminAccess {
  const header = headers.authorization;
  if (typeof header !== 'string' || header === '') return 'no credentials';
  const given = presentedToken(header);
  return given !== null && sameSecret(given, adminToken) ? 'granted' : 'wrong credentials';
}

function presentedToken(header: string): string | null {
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!basic) return null;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? null : decoded.slice(colon + 1);
}

/** Compares digests, so neither the length nor the content of the token leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * A browser sends Basic credentials it has cached with any request to the site, even one that
 * another site triggers. The dashboard's changes (retry, clean, pause) are therefore refused when
 * the browser says the request came from elsewhere: from another site (`Sec-Fetch-Site`) or
 * another origin (`Origin`). Tools such as curl send neither header and are not affected.
 */
export function isCrossSiteChange(method: string, headers: Headers): boolean {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return false;
  const site = headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return true;
  const origin = headers.origin;
  if (typeof origin !== 'string') return false;
  try {
    return new URL(origin).host !== headers.host;
  } catch {
    return true;
  }
}
