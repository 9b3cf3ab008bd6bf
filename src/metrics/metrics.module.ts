import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { FanoutMetrics } from './fanout.metrics';
import { HttpMetrics } from './http.metrics';
import { LiveFeedMetrics } from './live-feed.metrics';
import { MetricsServer } from './metrics-server';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics.registry';
import { OutboxMetrics } from './outbox.metrics';
import { QueueMetrics } from './queue.metrics';
import { RateLimitMetrics } from './rate-limit.metrics';

/** Prometheus metrics: the registry, the collectors the other modules feed, /metrics. */
@Module({
  imports: [JobsModule],
  controllers: [MetricsController],
  providers: [MetricsRegistry, FanoutMetrics, HttpMetrics, LiveFeedMetrics, OutboxMetrics, QueueMetrics, RateLimitMetrics, MetricsServer],
  exports: [MetricsRegistry, FanoutMetrics, HttpMetrics, LiveFeedMetrics, OutboxMetrics, RateLimitMetrics, MetricsServer],
})
export class MetricsModule {}
