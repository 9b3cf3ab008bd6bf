import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { TimelinesModule } from '../timelines/timelines.module';
import { FeedGateway } from './feed.gateway';
import { LiveFeedModule } from './live-feed.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { LiveSession } from './live-session.service';
import { SocketSlots } from './socket-slots.repository';

/** The Socket.IO side of the API: the /feed gateway. Loaded for ROLE=api and all. */
@Module({
  imports: [AuthModule, TimelinesModule, LiveFeedModule, RateLimitModule],
  providers: [FeedGateway, LiveSession, SocketSlots],
})
export class RealtimeModule {}
