import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { RateLimitKind } from '../config/app-config';
import { MetricsRegistry } from './metrics.registry';

/** Requests refused by a limit: a rising count is abuse, or a limit set too low for real users. */
@Injectable()
export class RateLimitMetrics {
  private readonly refusals: Counter<'limit'>;

  constructor(registry: MetricsRegistry) {
    this.refusals = new Counter({
      name: 'feed_rate_limited_total',
      help: 'Requests refused by a rate limit (429, a refused timeline:sync) or by LIVE_MAX_SOCKETS (limit="sockets")',
      labelNames: ['limit'],
      registers: [registry],
    });
    for (const limit of ['login', 'register', 'write', 'read', 'sockets']) this.refusals.inc({ limit }, 0);
  }

  refused(limit: RateLimitKind | 'sockets'): void {
    this.refusals.inc({ limit });
  }
}
