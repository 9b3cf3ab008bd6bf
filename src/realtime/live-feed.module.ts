import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { DeliveryLedger } from './delivery-ledger.repository';
import { LiveFeedEmitter } from './live-feed.emitter';
import { LiveFeedService } from './live-feed.service';
import { PresenceRepository } from './presence.repository';

/** Live delivery through Redis, for every role: API nodes and workers push the same way. */
@Module({
  imports: [MetricsModule],
  providers: [LiveFeedEmitter, PresenceRepository, DeliveryLedger, LiveFeedService],
  exports: [LiveFeedService, PresenceRepository],
})
export class LiveFeedModule {}
