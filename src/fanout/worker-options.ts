import { WorkerOptions } from 'bullmq';

/**
 * A job whose worker died (SIGKILL, a lost node) is found stalled and handed to another worker
 * within about lockDuration + stalledInterval; its checkpoint makes the retry resume, not restart.
 */
export const WORKER_OPTIONS: Partial<Omit<WorkerOptions, 'connection'>> = {
  // Started by FeedWorkerHost once the process knows it serves this queue (WORKER_QUEUES).
  autorun: false,
  lockDuration: 10_000,
  stalledInterval: 5_000,
  maxStalledCount: 5,
};
