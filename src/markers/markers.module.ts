import { Module } from '@nestjs/common';
import { LiveFeedModule } from '../realtime/live-feed.module';
import { MarkersController } from './markers.controller';
import { MarkersRepository } from './markers.repository';
import { MarkersService } from './markers.service';

/** The read position in the home timeline, shared across a user's devices. */
@Module({
  imports: [LiveFeedModule],
  controllers: [MarkersController],
  providers: [MarkersRepository, MarkersService],
})
export class MarkersModule {}
