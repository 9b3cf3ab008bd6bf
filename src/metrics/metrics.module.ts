import { Global, Module } from '@nestjs/common';
import { FanoutMetrics } from './fanout.metrics';
import { HttpMetrics } from './http.metrics';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics.registry';
import { QueueMetrics } from './queue.metrics';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsRegistry, FanoutMetrics, HttpMetrics, QueueMetrics],
  exports: [MetricsRegistry, FanoutMetrics, HttpMetrics],
})
export class MetricsModule {}
