import { CallHandler, ExecutionContext, HttpException, HttpStatus, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import { Observable } from 'rxjs';
import { AuthUser, IS_PUBLIC } from '../auth/current-user.decorator';
import type { RateLimitKind } from '../config/app-config';
import { USERNAME } from '../users/users.service';
import { limitOf, RATE_LIMIT } from './rate-limit.decorator';
import { RateLimitOutcome, RateLimits } from './rate-limits.service';

interface LimitedRequest {
  method: string;
  ip: string;
  user?: AuthUser;
  body?: unknown;
}
interface LimitedReply {
  header(name: string, value: string): unknown;
}

/**
 * Applies the rate limits to REST routes. An interceptor, not a guard: Nest runs interceptors after
 * every guard, so the caller's identity (JwtAuthGuard) is always known here, and a request refused
 * for its token never spends the caller's budget.
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: RateLimits,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const targets = [context.getHandler(), context.getClass()];
    const http = context.switchToHttp();
    const request = http.getRequest<LimitedRequest>();
    const kind = limitOf(
      request.method,
      this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) ?? false,
      this.reflector.getAllAndOverride<RateLimitKind>(RATE_LIMIT, targets),
    );
    if (!kind) return next.handle();
    const outcome = await this.limits.consume(kind, subjectsOf(kind, request));
    if (outcome) {
      setRateLimitHeaders(http.getResponse<LimitedReply>(), outcome);
      if (!outcome.allowed) {
        throw new HttpException(`too many requests; retry in ${outcome.resetSec} s`, HttpStatus.TOO_MANY_REQUESTS);
      }
    }
    return next.handle();
  }
}

/** Who a request counts against: the caller for user limits, the address (and username) for sign-in. */
function subjectsOf(kind: RateLimitKind, request: LimitedRequest): string[] {
  switch (kind) {
    case 'login': {
      const username = (request.body as { username?: unknown } | undefined)?.username;
      const subjects = [`a:${request.ip}`];
      if (typeof username === 'string') subjects.push(`u:${usernameKey(username)}`);
      return subjects;
    }
    case 'register':
      return [`a:${request.ip}`];
    default:
      return request.user ? [`u:${request.user.id}`] : [];
  }
}

/**
 * Usernames are found in any letter case, so `Alice` and `alice` share one count; anything that
 * cannot be a username is hashed, so no odd or huge string becomes part of a Redis key.
 */
function usernameKey(username: string): string {
  return USERNAME.test(username) ? username.toLowerCase() : `#${createHash('sha256').update(username).digest('hex').slice(0, 32)}`;
}

export function setRateLimitHeaders(reply: LimitedReply, outcome: RateLimitOutcome): void {
  reply.header('RateLimit-Limit', String(outcome.limit));
  reply.header('RateLimit-Remaining', String(outcome.remaining));
  reply.header('RateLimit-Reset', String(outcome.resetSec));
  if (!outcome.allowed) reply.header('Retry-After', String(outcome.resetSec));
}
