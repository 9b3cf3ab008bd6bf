import { Module } from '@nestjs/common';
import { OutboxRelay } from '../jobs/outbox-relay.service';
import { FanoutBulkProcessor } from './fanout-bulk.processor';
import { FanoutModule } from './fanout.module';
import { FanoutProcessor } from './fanout.processor';
import { GraphProcessor } from './graph.processor';

/** The background half: BullMQ processors and the outbox relay. Loaded for ROLE=worker and all. */
@Module({
  imports: [FanoutModule],
  providers: [FanoutProcessor, FanoutBulkProcessor, GraphProcessor, OutboxRelay],
})
export class FanoutWorkerModule {}
