import { UnauthorizedException } from '@nestjs/common';

/** What the guard answers for a bad token; a token whose account is gone gets the same. */
export const STALE_TOKEN_MESSAGE = 'invalid or expired token: log in again';

/**
 * A signed token can outlive its user's row (a database restored or reset with the same secret).
 * The guard does not look users up, so a write by such a user fails on a foreign key: that is
 * answered as a stale token (401), not as a 500.
 */
export function staleAccountAs401(error: unknown): unknown {
  const e = error as { code?: string; driverError?: { code?: string } } | null;
  const foreignKeyViolation = e?.code === '23503' || e?.driverError?.code === '23503';
  return foreignKeyViolation ? new UnauthorizedException(STALE_TOKEN_MESSAGE) : error;
}
