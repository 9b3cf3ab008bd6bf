import { Injectable, Logger } from '@nestjs/common';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppConfig, RateLimitKind, RateLimitRule } from '../config/app-config';
import { RateLimitMetrics } from '../metrics/rate-limit.metrics';
import { RedisClient } from '../redis/redis-client';
import { RedisKeys } from '../redis/redis-keys';

/** Where one request stands against its limit: what the RateLimit-* headers and a 429 say. */
export interface RateLimitOutcome {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Whole seconds until the window that refused (or the tightest one) starts again; at least 1. */
  resetSec: number;
}

/**
 * The limits of API.md, counted in Redis so that every API node shares them. Each count is one
 * key, touched by one Lua call (rate-limiter-flexible's INCR-with-expiry), so it works unchanged
 * on a Redis Cluster. While Redis is away, each node counts in its own memory instead (the
 * library's insurance limiter): the limits still hold per node, and nothing answers 500.
 */
@Injectable()
export class RateLimits {
  private readonly logger = new Logger('RateLimits');
  private readonly limiters = new Map<RateLimitKind, RateLimiterAbstract>();

  constructor(
    config: AppConfig,
    redis: RedisClient,
    keys: RedisKeys,
    private readonly metrics: RateLimitMetrics,
  ) {
    for (const [kind, rule] of Object.entries(config.rateLimits) as [RateLimitKind, RateLimitRule | null][]) {
      if (!rule) continue;
      this.limiters.set(
        kind,
        new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: keys.rateLimit(kind),
          points: rule.points,
          duration: rule.windowSec,
          rejectIfRedisNotReady: true,
          insuranceLimiter: new RateLimiterMemory({ points: rule.points, duration: rule.windowSec }),
        }),
      );
    }
  }

  /**
   * Counts one request against each subject (a user, an address, a username); the answer is the
   * tightest of them. Null when this kind of limit is off.
   */
  async consume(kind: RateLimitKind, subjects: string[]): Promise<RateLimitOutcome | null> {
    const limiter = this.limiters.get(kind);
    if (!limiter || subjects.length === 0) return null;
    const results = await Promise.all(subjects.map((subject) => this.consumeOne(limiter, subject)));
    const refused = results.filter((r) => !r.allowed);
    if (refused.length > 0) {
      this.metrics.refused(kind);
      return refused.reduce((a, b) => (b.resetSec > a.resetSec ? b : a));
    }
    return results.reduce((a, b) => (b.remaining < a.remaining ? b : a));
  }

  /** A socket refused by LIVE_MAX_SOCKETS, counted beside the request limits. */
  socketRefused(): void {
    this.metrics.refused('sockets');
  }

  private async consumeOne(limiter: RateLimiterAbstract, subject: string): Promise<RateLimitOutcome> {
    try {
      return outcome(limiter, await limiter.consume(subject), true);
    } catch (res) {
      if (res instanceof RateLimiterRes) return outcome(limiter, res, false);
      // Both Redis and the in-memory fallback failed: let the request through rather than fail it.
      this.logger.warn({ msg: 'rate limit not counted', error: (res as Error).message });
      return { allowed: true, limit: limiter.points, remaining: limiter.points, resetSec: limiter.duration };
    }
  }
}

function outcome(limiter: RateLimiterAbstract, res: RateLimiterRes, allowed: boolean): RateLimitOutcome {
  return {
    allowed,
    limit: limiter.points,
    remaining: res.remainingPoints,
    resetSec: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
  };
}
