import { Module } from '@nestjs/common';
import { GraphModule } from '../graph/graph.module';
import { PostStoreModule } from '../post-store/post-store.module';
import { TimelinesModule } from '../timelines/timelines.module';
import { FanoutStatusRepository } from './fanout-status.repository';
import { FanoutService } from './fanout.service';
import { PostPublisher } from './post-publisher.service';
import { TimelineEditsService } from './timeline-edits.service';

/** Fan-out logic and status; the API reads status here, the workers run the service. */
@Module({
  imports: [TimelinesModule, PostStoreModule, GraphModule],
  providers: [FanoutStatusRepository, FanoutService, TimelineEditsService, PostPublisher],
  exports: [FanoutStatusRepository, FanoutService, TimelineEditsService, PostPublisher],
})
export class FanoutModule {}
