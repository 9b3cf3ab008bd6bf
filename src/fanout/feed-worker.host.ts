import { WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { FanoutMetrics } from '../metrics/fanout.metrics';

/** A BullMQ worker that logs and counts its failed attempts and takes its concurrency from config. */
export abstract class FeedWorkerHost extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(this.constructor.name);

  protected constructor(
    private readonly metrics: FanoutMetrics,
    private readonly concurrency: number,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.concurrency;
    this.worker.on('active', (job) => {
      // The first attempt only: a retry's wait includes its back-off, which is not queueing.
      if (job.attemptsMade === 0 && job.processedOn) {
        this.metrics.jobWait.observe({ queue: this.worker.name }, Math.max(0, job.processedOn - job.timestamp) / 1000);
      }
    });
    this.worker.on('error', (err) => this.logger.warn({ msg: 'worker error', queue: this.worker.name, error: err.message }));
    this.worker.on('failed', (job, err) => {
      this.metrics.failures.inc({ queue: this.worker.name });
      this.logger.warn({
        msg: 'job attempt failed',
        queue: this.worker.name,
        job: job?.id,
        attempt: job?.attemptsMade,
        error: err.message,
      });
    });
  }
}
