import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from './metrics.registry';

@Injectable()
export class FanoutMetrics {
  /** Post created → last follower timeline written. */
  readonly delay: Histogram;
  readonly deliveries: Counter;
  readonly skipped: Counter;
  readonly failures: Counter<'queue'>;

  constructor(registry: MetricsRegistry) {
    this.delay = new Histogram({
      name: 'feed_fanout_delay_seconds',
      help: 'Time from post creation to the last follower timeline written',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    });
    this.deliveries = new Counter({
      name: 'feed_fanout_deliveries_total',
      help: 'Follower timelines processed by fan-out',
      registers: [registry],
    });
    this.skipped = new Counter({
      name: 'feed_fanout_skipped_total',
      help: 'Posts of big accounts merged at read time instead of fanned out',
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'feed_job_failures_total',
      help: 'Background job attempts that failed',
      labelNames: ['queue'],
      registers: [registry],
    });
  }
}
