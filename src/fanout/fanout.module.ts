import { Module } from '@nestjs/common';
import { PostStoreModule } from '../post-store/post-store.module';
import { TimelinesModule } from '../timelines/timelines.module';
import { FanoutStatusRepository } from './fanout-status.repository';
import { FanoutService } from './fanout.service';
import { FollowersRepository } from './followers.repository';

/** Fan-out logic and status; the API reads status here, the workers run the service. */
@Module({
  imports: [TimelinesModule, PostStoreModule],
  providers: [FanoutStatusRepository, FollowersRepository, FanoutService],
  exports: [FanoutStatusRepository, FanoutService],
})
export class FanoutModule {}
