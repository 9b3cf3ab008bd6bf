import { Module } from '@nestjs/common';
import { GraphModule } from '../graph/graph.module';
import { JobsModule } from '../jobs/jobs.module';
import { LiveFeedModule } from '../realtime/live-feed.module';
import { TimelinesModule } from '../timelines/timelines.module';
import { UsersModule } from '../users/users.module';
import { FollowsController } from './follows.controller';
import { FollowsService } from './follows.service';

@Module({
  imports: [GraphModule, UsersModule, TimelinesModule, JobsModule, LiveFeedModule],
  controllers: [FollowsController],
  providers: [FollowsService],
})
export class FollowsModule {}
