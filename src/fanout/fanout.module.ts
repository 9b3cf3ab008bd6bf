import { Module } from '@nestjs/common';
import { GraphModule } from '../graph/graph.module';
import { JobsModule } from '../jobs/jobs.module';
import { MetricsModule } from '../metrics/metrics.module';
import { PostStoreModule } from '../post-store/post-store.module';
import { LiveFeedModule } from '../realtime/live-feed.module';
import { TimelinesModule } from '../timelines/timelines.module';
import { AccountSettleService } from './account-settle.service';
import { BigAccountsRepository } from './big-accounts.repository';
import { FanoutStatusRepository } from './fanout-status.repository';
import { FanoutService } from './fanout.service';
import { PostPublisher } from './post-publisher.service';
import { TimelineEditsService } from './timeline-edits.service';

/** Fan-out logic and status; the API reads status here, the workers run the service. */
@Module({
  imports: [TimelinesModule, PostStoreModule, GraphModule, JobsModule, LiveFeedModule, MetricsModule],
  providers: [FanoutStatusRepository, BigAccountsRepository, FanoutService, TimelineEditsService, PostPublisher, AccountSettleService],
  exports: [FanoutStatusRepository, FanoutService, TimelineEditsService, PostPublisher, AccountSettleService],
})
export class FanoutModule {}
