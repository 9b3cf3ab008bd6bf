import { Processor } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { AccountJobData, FollowJobData, MergeFollowee, PostJobData, QueueName, RemergeFollowee, RetractPost, SettleAccount, UnmergeFollowee, UnmergeMuted } from '../jobs/job-catalogue';
import { FanoutMetrics } from '../metrics/fanout.metrics';
import { AccountSettleService } from './account-settle.service';
import { TimelineEditsService } from './timeline-edits.service';
import { FeedWorkerHost } from './feed-worker.host';
import { WORKER_OPTIONS } from './worker-options';

const GRAPH_CONCURRENCY = 4;

@Processor(QueueName.Graph, WORKER_OPTIONS)
export class GraphProcessor extends FeedWorkerHost {
  constructor(
    private readonly edits: TimelineEditsService,
    private readonly settler: AccountSettleService,
    metrics: FanoutMetrics,
    config: AppConfig,
  ) {
    super(metrics, config, GRAPH_CONCURRENCY);
  }

  process(job: Job): Promise<void> {
    switch (job.name) {
      case RetractPost.name:
        return this.edits.retractPost(job.data as PostJobData);
      case MergeFollowee.name:
        return this.edits.mergeFollowee(job.data as FollowJobData);
      case RemergeFollowee.name:
        return this.edits.mergeFollowee(job.data as FollowJobData, RemergeFollowee);
      case UnmergeFollowee.name:
        return this.edits.unmergeFollowee(job.data as FollowJobData);
      case UnmergeMuted.name:
        return this.edits.unmergeMuted(job.data as FollowJobData);
      case SettleAccount.name:
        return this.settler.settle(job.data as AccountJobData);
      default:
        throw new Error(`unknown job ${job.name} on queue ${QueueName.Graph}`);
    }
  }
}
