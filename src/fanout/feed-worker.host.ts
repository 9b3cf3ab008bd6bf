import { WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { QueueName } from '../jobs/job-catalogue';
import { FanoutMetrics } from '../metrics/fanout.metrics';

/**
 * A BullMQ worker that logs and counts its failed attempts, takes its concurrency from config, and
 * takes jobs only when its queue is one of WORKER_QUEUES.
 */
export abstract class FeedWorkerHost extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(this.constructor.name);

  protected constructor(
    private readonly metrics: FanoutMetrics,
    private readonly settings: AppConfig,
    private readonly concurrency: number,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    const queue = this.worker.name as QueueName;
    if (!this.settings.workerQueues.includes(queue)) {
      this.logger.log({ msg: 'queue left to other worker processes (WORKER_QUEUES)', queue });
      return;
    }
    this.worker.concurrency = this.concurrency;
    this.worker.on('active', (job) => {
      // The first attempt only: a retry's wait includes its back-off, which is not queueing.
      if (job.attemptsMade === 0 && job.processedOn) {
        this.metrics.jobWait.observe({ queue }, Math.max(0, job.processedOn - job.timestamp) / 1000);
      }
    });
    this.worker.on('error', (err) => this.logger.warn({ msg: 'worker error', queue, error: err.message }));
    this.worker.on('failed', (job, err) => {
      this.metrics.failures.inc({ queue });
      this.logger.warn({ msg: 'job attempt failed', queue, job: job?.id, attempt: job?.attemptsMade, error: err.message });
    });
    // run() settles when the worker closes (at shutdown); its errors are the 'error' events above.
    this.worker.run().catch((err: Error) => this.logger.error({ msg: 'worker stopped', queue, error: err.message }));
  }
}
