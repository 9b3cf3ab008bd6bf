import { Module } from '@nestjs/common';
import { GraphModule } from '../graph/graph.module';
import { TimelinesModule } from '../timelines/timelines.module';
import { UsersModule } from '../users/users.module';
import { FollowsController } from './follows.controller';
import { FollowsService } from './follows.service';

@Module({
  imports: [GraphModule, UsersModule, TimelinesModule],
  controllers: [FollowsController],
  providers: [FollowsService],
})
export class FollowsModule {}
