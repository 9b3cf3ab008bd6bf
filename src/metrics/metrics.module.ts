import { Global, Module } from '@nestjs/common';
import { FanoutMetrics } from './fanout.metrics';
import { HttpMetrics } from './http.metrics';
import { LiveFeedMetrics } from './live-feed.metrics';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics.registry';
import { MetricsServer } from './metrics-server';
import { QueueMetrics } from './queue.metrics';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsRegistry, FanoutMetrics, HttpMetrics, LiveFeedMetrics, QueueMetrics, MetricsServer],
  exports: [MetricsRegistry, FanoutMetrics, HttpMetrics, LiveFeedMetrics, MetricsServer],
})
export class MetricsModule {}
