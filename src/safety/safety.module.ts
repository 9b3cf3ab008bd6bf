import { Module } from '@nestjs/common';
import { GraphModule } from '../graph/graph.module';
import { JobsModule } from '../jobs/jobs.module';
import { LiveFeedModule } from '../realtime/live-feed.module';
import { TimelinesModule } from '../timelines/timelines.module';
import { UsersModule } from '../users/users.module';
import { BlocksController } from './blocks.controller';
import { MutesController } from './mutes.controller';
import { SafetyService } from './safety.service';

/** The safety tools: blocks and mutes, their endpoints and what follows a change. */
@Module({
  imports: [GraphModule, UsersModule, TimelinesModule, JobsModule, LiveFeedModule],
  controllers: [BlocksController, MutesController],
  providers: [SafetyService],
})
export class SafetyModule {}
