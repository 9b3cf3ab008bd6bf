import { JobsOptions } from 'bullmq';

/**
 * Every background job: its queue, name, payload and id. Ids derive from the payload, so enqueueing
 * the same work twice (a retry, the outbox relay) finds the existing job instead of adding one.
 */
export enum QueueName {
  /** One job per post: small followings finish here, big ones are cut into chunks. */
  Fanout = 'fanout',
  /** Chunks of big followings, on their own workers so they never hold up small posts. */
  FanoutBulk = 'fanout-bulk',
  /** Follow, unfollow, block, mute, unmute and delete: timeline edits that follow a change of the graph. */
  Graph = 'graph',
  /** Periodic upkeep (retention), run by one worker per period through a BullMQ job scheduler. */
  Maintenance = 'maintenance',
}

export interface PostJobData {
  postId: string;
  authorId: string;
}

export interface ChunkJobData extends PostJobData {
  chunkNo: number;
}

export interface FollowJobData {
  followerId: string;
  followeeId: string;
  /** The follow's sequence number: each follow or unfollow is its own event. */
  seq: string;
}

export interface AccountJobData {
  authorId: string;
}

export interface JobSpec<T> {
  queue: QueueName;
  name: string;
  jobId(data: T): string;
}

export const FanoutPost: JobSpec<PostJobData> = {
  queue: QueueName.Fanout,
  name: 'fanout-post',
  jobId: (d) => `post-${d.postId}`,
};

export const FanoutChunk: JobSpec<ChunkJobData> = {
  queue: QueueName.FanoutBulk,
  name: 'fanout-chunk',
  jobId: (d) => `post-${d.postId}-chunk-${d.chunkNo}`,
};

export const RetractPost: JobSpec<PostJobData> = {
  queue: QueueName.Graph,
  name: 'retract-post',
  jobId: (d) => `delete-${d.postId}`,
};

export const MergeFollowee: JobSpec<FollowJobData> = {
  queue: QueueName.Graph,
  name: 'merge-followee',
  jobId: (d) => `follow-${d.seq}`,
};

/** An unmute: the account's recent posts join the timeline again, as on a follow. `seq` is the mute's. */
export const RemergeFollowee: JobSpec<FollowJobData> = {
  queue: QueueName.Graph,
  name: 'remerge-followee',
  jobId: (d) => `unmute-${d.seq}`,
};

/** A mute: the muted account's posts leave the muter's timeline, as on an unfollow. `seq` is the mute's. */
export const UnmergeMuted: JobSpec<FollowJobData> = {
  queue: QueueName.Graph,
  name: 'unmerge-muted',
  jobId: (d) => `mute-${d.seq}`,
};

export const UnmergeFollowee: JobSpec<FollowJobData> = {
  queue: QueueName.Graph,
  name: 'unmerge-followee',
  jobId: (d) => `unfollow-${d.seq}`,
};

/**
 * An author merged at read who is no longer big (rule 6): the posts they wrote while big join their
 * followers' timelines, then their posts stop being merged. One at a time per author; the fan-out
 * of each of their posts asks again until it is done.
 */
export const SettleAccount: JobSpec<AccountJobData> = {
  queue: QueueName.Graph,
  name: 'settle-account',
  jobId: (d) => `settle-${d.authorId}`,
};

/** The retention pass (src/retention): one scheduler, so one worker runs it per period. */
export const RunRetention: JobSpec<Record<string, never>> = {
  queue: QueueName.Maintenance,
  name: 'retention',
  jobId: () => 'retention',
};

/** The jobs the outbox relay may re-enqueue, by name. */
export const OUTBOX_JOBS: Record<string, JobSpec<never>> = Object.fromEntries(
  [FanoutPost, RetractPost, MergeFollowee, RemergeFollowee, UnmergeFollowee, UnmergeMuted].map((spec) => [spec.name, spec as JobSpec<never>]),
);

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { age: 3600, count: 10_000 },
  // Failed jobs are kept a week for inspection.
  removeOnFail: { age: 7 * 24 * 3600 },
};
