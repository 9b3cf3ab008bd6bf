import { Global, Module } from '@nestjs/common';
import { DeliveryLedger } from './delivery-ledger.repository';
import { LiveFeedEmitter } from './live-feed.emitter';
import { LiveFeedService } from './live-feed.service';
import { PresenceRepository } from './presence.repository';

/** Live delivery through Redis, for every role: API nodes and workers push the same way. */
@Global()
@Module({
  providers: [LiveFeedEmitter, PresenceRepository, DeliveryLedger, LiveFeedService],
  exports: [LiveFeedService, PresenceRepository],
})
export class LiveFeedModule {}
