import { Module } from '@nestjs/common';
import { TimelinesModule } from '../timelines/timelines.module';
import { UsersModule } from '../users/users.module';
import { FollowsController } from './follows.controller';
import { FollowsRepository } from './follows.repository';
import { FollowsService } from './follows.service';

@Module({
  imports: [UsersModule, TimelinesModule],
  controllers: [FollowsController],
  providers: [FollowsRepository, FollowsService],
})
export class FollowsModule {}
