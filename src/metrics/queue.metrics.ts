import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { JobQueue } from '../jobs/job-queue';
import { MetricsRegistry } from './metrics.registry';

@Injectable()
export class QueueMetrics {
  constructor(registry: MetricsRegistry, queue: JobQueue) {
    new Gauge({
      name: 'feed_queue_depth',
      help: 'Jobs waiting, delayed or running, per queue',
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        const depths = await queue.depths().catch(() => ({}) as Record<string, number>);
        for (const [name, depth] of Object.entries(depths)) this.set({ queue: name }, depth);
      },
    });
  }
}
