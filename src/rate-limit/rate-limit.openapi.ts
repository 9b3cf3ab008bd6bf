import type { OpenAPIObject } from '@nestjs/swagger';
import type { RateLimitKind, RateLimitRule } from '../config/app-config';
import { limitOf, RATE_LIMIT_OPERATION } from './rate-limit.decorator';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head'] as const;

type Header = { description: string; required: boolean; schema: Record<string, unknown> };
type Response = { headers?: Record<string, Header> };

function rateLimitHeaders(required: boolean): Record<string, Header> {
  return {
    'RateLimit-Limit': { description: 'Requests allowed in the current window of this route’s limit.', required, schema: { type: 'integer', minimum: 1 } },
    'RateLimit-Remaining': { description: 'Requests left in the current window.', required, schema: { type: 'integer', minimum: 0 } },
    'RateLimit-Reset': { description: 'Whole seconds until the window starts again.', required, schema: { type: 'integer', minimum: 1 } },
  };
}

/**
 * Puts the RateLimit-* headers on the answers of every limited operation (those marked by
 * @RateLimit and the authenticated GETs, by the same rule the interceptor applies). They are
 * required on successes and on 429 when that limit is on in this service, optional elsewhere
 * (a 401 is answered before the limit is counted).
 */
export function documentRateLimits(document: OpenAPIObject, rules: Readonly<Record<RateLimitKind, RateLimitRule | null>>, publicMarker: string): void {
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = (item as Record<string, Record<string, unknown> | undefined>)[method];
      if (!operation) continue;
      const declared = operation[RATE_LIMIT_OPERATION] as RateLimitKind | undefined;
      delete operation[RATE_LIMIT_OPERATION];
      const kind = limitOf(method, operation[publicMarker] === true, declared);
      if (!kind) continue;
      for (const [status, response] of Object.entries(operation.responses as Record<string, Response>)) {
        const certain = rules[kind] !== null && (status.startsWith('2') || status === '429');
        response.headers = { ...response.headers, ...rateLimitHeaders(certain) };
      }
    }
  }
}
