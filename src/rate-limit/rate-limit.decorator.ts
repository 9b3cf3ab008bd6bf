import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { RateLimitKind } from '../config/app-config';

export const RATE_LIMIT = 'rateLimit';
/** Carries a route's limit into the OpenAPI document, where rate-limit.openapi.ts turns it into headers. */
export const RATE_LIMIT_OPERATION = 'x-rate-limit';

/**
 * Counts every call of a route against one of API.md's limits. Authenticated GETs need no
 * decorator: they count as reads (see limitOf).
 */
export const RateLimit = (kind: RateLimitKind) =>
  applyDecorators(SetMetadata(RATE_LIMIT, kind), ApiExtension(RATE_LIMIT_OPERATION, kind));

/**
 * The limit a route counts against: the one it declares, else `read` for a GET that needs a token.
 * The interceptor and the OpenAPI document both ask here, so they always agree.
 */
export function limitOf(method: string, isPublic: boolean, declared: RateLimitKind | undefined): RateLimitKind | null {
  if (declared) return declared;
  const upper = method.toUpperCase();
  return !isPublic && (upper === 'GET' || upper === 'HEAD') ? 'read' : null;
}
