import { Processor } from '@nestjs/bullmq';
import { OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { FeedWorkerHost } from '../fanout/feed-worker.host';
import { WORKER_OPTIONS } from '../fanout/worker-options';
import { QueueName, RunRetention } from '../jobs/job-catalogue';
import { JobQueue } from '../jobs/job-queue';
import { FanoutMetrics } from '../metrics/fanout.metrics';
import { RetentionService } from './retention.service';

/**
 * Runs the retention job. Every worker schedules it at start-up; the scheduler is one entry in
 * Redis under the job's id, so however many workers run, one of them runs it once per period.
 */
@Processor(QueueName.Maintenance, WORKER_OPTIONS)
export class RetentionProcessor extends FeedWorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly retention: RetentionService,
    private readonly queue: JobQueue,
    private readonly config: AppConfig,
    metrics: FanoutMetrics,
  ) {
    super(metrics, config, 1);
  }

  override onApplicationBootstrap(): Promise<void> {
    super.onApplicationBootstrap();
    return this.queue.every(RunRetention, {}, this.config.retentionIntervalMs);
  }

  async process(): Promise<void> {
    await this.retention.run();
  }
}
