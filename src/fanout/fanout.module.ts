import { Module } from '@nestjs/common';
import { PostStoreModule } from '../post-store/post-store.module';
import { TimelinesModule } from '../timelines/timelines.module';
import { AccountSettleService } from './account-settle.service';
import { BigAccountsRepository } from './big-accounts.repository';
import { FanoutStatusRepository } from './fanout-status.repository';
import { FanoutService } from './fanout.service';
import { FollowersRepository } from './followers.repository';
import { PostPublisher } from './post-publisher.service';
import { TimelineEditsService } from './timeline-edits.service';

/** Fan-out logic and status; the API reads status here, the workers run the service. */
@Module({
  imports: [TimelinesModule, PostStoreModule],
  providers: [FanoutStatusRepository, FollowersRepository, BigAccountsRepository, FanoutService, TimelineEditsService, PostPublisher, AccountSettleService],
  exports: [FanoutStatusRepository, FanoutService, TimelineEditsService, PostPublisher, AccountSettleService],
})
export class FanoutModule {}
