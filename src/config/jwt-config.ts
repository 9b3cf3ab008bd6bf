import { ConfigError } from './config-error';

/** The secret used outside production when JWT_SECRET is unset (with a warning). */
export const DEV_JWT_SECRET = 'dev-only-secret-change-me';
/** API.md: in production a JWT_SECRET shorter than this many bytes is refused. */
export const MIN_PRODUCTION_SECRET_BYTES = 32;
/**
 * Secrets that have been published (defaults of this project and its compose file, and the
 * usual placeholders): whoever has read them can sign a token for any user.
 */
const KNOWN_SECRETS = new Set([
  DEV_JWT_SECRET,
  'dev-only-compose-secret-change-me',
  'test-secret',
  'secret',
  'changeme',
  'change-me',
  'your-secret',
  'your-256-bit-secret',
  'jwt-secret',
  'supersecret',
]);

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
const MAX_EXPIRES_IN_SEC = 365 * 86_400;

/**
 * JWT_SECRET: required, at least 32 bytes and not a published one when NODE_ENV=production;
 * elsewhere a development secret stands in when it is unset.
 */
export function jwtSecret(env: Record<string, string | undefined>, nodeEnv: string): string {
  const secret = env.JWT_SECRET || '';
  if (nodeEnv !== 'production') return secret || DEV_JWT_SECRET;
  if (!secret) throw new ConfigError('JWT_SECRET is required when NODE_ENV=production');
  if (Buffer.byteLength(secret, 'utf8') < MIN_PRODUCTION_SECRET_BYTES) {
    throw new ConfigError(`JWT_SECRET must be at least ${MIN_PRODUCTION_SECRET_BYTES} bytes when NODE_ENV=production (try: openssl rand -hex 32)`);
  }
  if (KNOWN_SECRETS.has(secret.trim().toLowerCase()) || /^(.)\1*$/.test(secret)) {
    throw new ConfigError('JWT_SECRET is a published or trivial value; it is refused when NODE_ENV=production (try: openssl rand -hex 32)');
  }
  return secret;
}

/** JWT_EXPIRES_IN: seconds (`3600`) or a number with s, m, h or d (`60s`, `12h`, `7d`); 1 s to 365 d. */
export function jwtExpiresInSec(env: Record<string, string | undefined>): number {
  const raw = (env.JWT_EXPIRES_IN || '7d').trim();
  const match = /^(\d{1,9})(s|m|h|d)?$/.exec(raw);
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[(match[2] ?? 's') as keyof typeof UNIT_SECONDS] : 0;
  if (!match || seconds < 1 || seconds > MAX_EXPIRES_IN_SEC) {
    throw new ConfigError(`JWT_EXPIRES_IN must be a lifetime like 60s, 15m, 12h or 7d (1 s to 365 d), got "${raw}"`);
  }
  return seconds;
}
