import { Module } from '@nestjs/common';
import { GraphModule } from '../graph/graph.module';
import { PostStoreModule } from '../post-store/post-store.module';
import { FeedFilter } from './feed-filter.service';
import { FeedSourceRepository } from './feed-source.repository';
import { HomeCursors } from './home-cursor';
import { HomeTimelineService } from './home-timeline.service';
import { TimelineRepository } from './timeline.repository';
import { TimelineService } from './timeline.service';
import { TimelinesController } from './timelines.controller';

@Module({
  imports: [PostStoreModule, GraphModule],
  controllers: [TimelinesController],
  providers: [TimelineRepository, FeedSourceRepository, TimelineService, HomeTimelineService, HomeCursors, FeedFilter],
  exports: [TimelineService, HomeTimelineService, FeedFilter],
})
export class TimelinesModule {}
