import { Injectable } from '@nestjs/common';
import { Histogram } from 'prom-client';
import { MetricsRegistry } from './metrics.registry';

/** How the live feed is pushed to. */
export type PushPath = 'author' | 'followers' | 'big_account';

@Injectable()
export class LiveFeedMetrics {
  /** Post created → its live push published (to every API node holding the sockets). */
  private readonly pushDelay: Histogram<'path'>;

  constructor(registry: MetricsRegistry) {
    this.pushDelay = new Histogram({
      name: 'feed_push_delay_seconds',
      help: 'Time from post creation to its live push being published, by path (author, followers, big_account)',
      labelNames: ['path'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
    for (const path of ['author', 'followers', 'big_account'] satisfies PushPath[]) this.pushDelay.zero({ path });
  }

  observePush(path: PushPath, createdAt: string): void {
    // A post re-pushed long after (a catch-up after an outage) still counts: that is the delay a reader saw.
    this.pushDelay.observe({ path }, Math.max(0, Date.now() - Date.parse(createdAt)) / 1000);
  }
}
