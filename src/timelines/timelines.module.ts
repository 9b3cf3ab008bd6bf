import { Module } from '@nestjs/common';
import { PostStoreModule } from '../post-store/post-store.module';
import { FeedSourceRepository } from './feed-source.repository';
import { HomeCursors } from './home-cursor';
import { HomeTimelineService } from './home-timeline.service';
import { TimelineRepository } from './timeline.repository';
import { TimelineService } from './timeline.service';
import { TimelinesController } from './timelines.controller';

@Module({
  imports: [PostStoreModule],
  controllers: [TimelinesController],
  providers: [TimelineRepository, FeedSourceRepository, TimelineService, HomeTimelineService, HomeCursors],
  exports: [TimelineService, HomeTimelineService, FeedSourceRepository],
})
export class TimelinesModule {}
