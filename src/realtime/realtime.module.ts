import { Module } from '@nestjs/common';
import { TimelinesModule } from '../timelines/timelines.module';
import { FeedGateway } from './feed.gateway';
import { LiveSession } from './live-session.service';
import { SocketSlots } from './socket-slots.repository';

/** The Socket.IO side of the API: the /feed gateway. Loaded for ROLE=api and all. */
@Module({
  imports: [TimelinesModule],
  providers: [FeedGateway, LiveSession, SocketSlots],
})
export class RealtimeModule {}
