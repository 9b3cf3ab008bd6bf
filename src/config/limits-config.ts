import { isIP } from 'node:net';
import { ConfigError } from './config-error';

/** What a rate limit counts (API.md, "limits and headers"). */
export type RateLimitKind = 'login' | 'register' | 'write' | 'read';

/** `points` requests per `windowSec` seconds; a limit that is `off` is null. */
export interface RateLimitRule {
  points: number;
  windowSec: number;
}

/** How Fastify finds the client's address: not behind a proxy, behind any proxy, or behind these proxies. */
export type TrustProxy = boolean | string[];

/** proxy-addr's names for address ranges (Fastify compiles the list with it). */
const RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

type Env = Record<string, string | undefined>;

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
/** A window longer than a day would keep a mistake (or a lock-out) around for too long. */
const MAX_WINDOW_SEC = 86_400;

/** `N/WINDOW` (`10/15m`) or `off`. */
export function rateLimitRule(env: Env, name: string, fallback: string): RateLimitRule | null {
  const raw = (env[name] || fallback).trim();
  if (raw.toLowerCase() === 'off') return null;
  const match = /^(\d{1,9})\/(\d{1,6})(s|m|h|d)$/.exec(raw);
  const points = match ? Number(match[1]) : 0;
  const windowSec = match ? Number(match[2]) * UNIT_SECONDS[match[3] as keyof typeof UNIT_SECONDS] : 0;
  if (!match || points < 1 || windowSec < 1 || windowSec > MAX_WINDOW_SEC) {
    throw new ConfigError(`${name} must be N/WINDOW (like 10/15m; N at least 1, WINDOW in s, m, h or d, at most 1d) or off, got "${raw}"`);
  }
  return { points, windowSec };
}

/**
 * TRUST_PROXY: off (default), `true` (every proxy: only when nothing reaches the service but
 * through them), or a comma-separated list of the proxies' addresses or CIDRs (`loopback`,
 * `uniquelocal` and `linklocal` name the usual ranges). No hop count: Fastify cannot check the
 * peer with one, so it ignores the header then.
 */
export function trustProxy(env: Env): TrustProxy {
  const raw = (env.TRUST_PROXY ?? '').trim();
  if (['', 'off', 'false', 'no'].includes(raw.toLowerCase())) return false;
  if (['on', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  const list = raw.split(',').map((entry) => entry.trim());
  for (const entry of list) {
    if (RANGE_NAMES.includes(entry)) continue;
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address);
    const validBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!family || !validBits || extra !== undefined) {
      throw new ConfigError(`TRUST_PROXY must be off, true, or a comma-separated list of addresses/CIDRs, got "${raw}"`);
    }
  }
  return list;
}
