import { Module } from '@nestjs/common';
import { FollowCountsModule } from '../follows/follow-counts.module';
import { JobsModule } from '../jobs/jobs.module';
import { OutboxRelay } from '../jobs/outbox-relay.service';
import { MetricsModule } from '../metrics/metrics.module';
import { FanoutBulkProcessor } from './fanout-bulk.processor';
import { FanoutModule } from './fanout.module';
import { FanoutProcessor } from './fanout.processor';
import { GraphProcessor } from './graph.processor';

/** The background half: BullMQ processors, the outbox relay and the follow counts' folder. Loaded for ROLE=worker and all. */
@Module({
  imports: [FanoutModule, FollowCountsModule, JobsModule, MetricsModule],
  providers: [FanoutProcessor, FanoutBulkProcessor, GraphProcessor, OutboxRelay],
})
export class FanoutWorkerModule {}
