import { Processor } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { PostJobData, QueueName } from '../jobs/job-catalogue';
import { FanoutMetrics } from '../metrics/fanout.metrics';
import { FanoutService } from './fanout.service';
import { FeedWorkerHost } from './feed-worker.host';
import { WORKER_OPTIONS } from './worker-options';

@Processor(QueueName.Fanout, WORKER_OPTIONS)
export class FanoutProcessor extends FeedWorkerHost {
  constructor(
    private readonly fanout: FanoutService,
    metrics: FanoutMetrics,
    config: AppConfig,
  ) {
    super(metrics, config, config.fanoutConcurrency);
  }

  process(job: Job<PostJobData>): Promise<void> {
    return this.fanout.fanoutPost(job.data);
  }
}
