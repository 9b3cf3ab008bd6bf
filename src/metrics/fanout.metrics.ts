import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { QueueName } from '../jobs/job-catalogue';
import { MetricsRegistry } from './metrics.registry';

/**
 * Following sizes the fan-out delay is reported by: a 10-follower post and a 100,000-follower
 * one have delays of different orders, and one histogram of both would hide either.
 */
export const FOLLOWING_CLASSES = [10, 100, 1_000, 10_000] as const;

/** The `followers` label of a following of this size: `<=10`, `<=100`, ..., `>10000`. */
export function followingClass(followers: number): string {
  const bound = FOLLOWING_CLASSES.find((limit) => followers <= limit);
  return bound === undefined ? `>${FOLLOWING_CLASSES[FOLLOWING_CLASSES.length - 1]}` : `<=${bound}`;
}

@Injectable()
export class FanoutMetrics {
  /** Post created → last follower timeline written, by following size. */
  readonly delay: Histogram<'followers'>;
  readonly deliveries: Counter;
  readonly skipped: Counter;
  readonly failures: Counter<'queue'>;
  /** Job added → first picked up by a worker: how long work waits in each queue. */
  readonly jobWait: Histogram<'queue'>;

  constructor(registry: MetricsRegistry) {
    this.delay = new Histogram({
      name: 'feed_fanout_delay_seconds',
      help: 'Time from post creation to the last follower timeline written, by the author’s following size',
      labelNames: ['followers'],
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
    this.jobWait = new Histogram({
      name: 'feed_job_wait_seconds',
      help: 'Time from a job being added to a worker starting it, per queue',
      labelNames: ['queue'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    });
    // Every series exists from the start at zero, so rate() and the dashboard see a 0, not a gap.
    for (const queue of Object.values(QueueName)) {
      this.failures.inc({ queue }, 0);
      this.jobWait.zero({ queue });
    }
    for (const followers of [...FOLLOWING_CLASSES, Infinity]) this.delay.zero({ followers: followingClass(followers) });
  }

  observeDelay(delayMs: number, followers: number): void {
    this.delay.observe({ followers: followingClass(followers) }, delayMs / 1000);
  }
}
