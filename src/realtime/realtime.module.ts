import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { TimelinesModule } from '../timelines/timelines.module';
import { FeedGateway } from './feed.gateway';
import { LiveFeedModule } from './live-feed.module';
import { LiveSession } from './live-session.service';

/** The Socket.IO side of the API: the /feed gateway. Loaded for ROLE=api and all. */
@Module({
  imports: [AuthModule, TimelinesModule, LiveFeedModule],
  providers: [FeedGateway, LiveSession],
})
export class RealtimeModule {}
