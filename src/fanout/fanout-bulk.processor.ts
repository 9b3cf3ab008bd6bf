import { Processor } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { ChunkJobData, QueueName } from '../jobs/job-catalogue';
import { FanoutMetrics } from '../metrics/fanout.metrics';
import { FanoutService } from './fanout.service';
import { FeedWorkerHost } from './feed-worker.host';
import { WORKER_OPTIONS } from './worker-options';

@Processor(QueueName.FanoutBulk, WORKER_OPTIONS)
export class FanoutBulkProcessor extends FeedWorkerHost {
  constructor(
    private readonly fanout: FanoutService,
    metrics: FanoutMetrics,
    config: AppConfig,
  ) {
    super(metrics, config, config.fanoutConcurrency);
  }

  process(job: Job<ChunkJobData>): Promise<void> {
    return this.fanout.runChunk(job.data);
  }
}
