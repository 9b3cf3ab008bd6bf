import { getQueueToken } from '@nestjs/bullmq';
import { INestApplicationContext } from '@nestjs/common';
import { Worker } from 'bullmq';
import { FanoutBulkProcessor } from '../src/fanout/fanout-bulk.processor';
import { FanoutProcessor } from '../src/fanout/fanout.processor';
import { GraphProcessor } from '../src/fanout/graph.processor';
import { QueueName } from '../src/jobs/job-catalogue';
import { ApiClient, eventually, TestUser } from './support/api-client';
import { seedFollowers } from './support/seed';
import { TestEnv } from './support/test-env';
import { countHolding, createTimelines } from './support/timelines';

jest.setTimeout(60_000);

// WORKER_QUEUES: a worker process takes jobs only from the queues it lists, so big fan-outs can
// have processes of their own and small ones a lane they cannot fill.
describe('worker lanes (WORKER_QUEUES)', () => {
  let env: TestEnv;
  let api: ApiClient;
  // Chunks of 2 followers: a following of 8 goes to fanout-bulk in 4 chunks (the last one, open-ended,
  // takes whatever is left: never an empty fifth).
  const fanoutEnv = { FANOUT_BATCH_SIZE: '2', FANOUT_CHUNK_SIZE: '2' };

  beforeAll(async () => {
    env = await TestEnv.create();
    const { url } = await env.startApp({ ROLE: 'api', ...fanoutEnv });
    api = new ApiClient(url);
  });

  afterAll(() => env.close());

  const worker = (ctx: INestApplicationContext, processor: { new (...args: never[]): { worker: Worker } }) => ctx.get(processor as never, { strict: false }).worker as Worker;
  const fanoutState = async (author: TestUser, postId: string) => (await api.get(`/posts/${postId}/fanout`, author)).body.state;

  it('runs only the listed queues, and two lanes together deliver small and big followings', async () => {
    const bulkLane = await env.startWorker({ WORKER_QUEUES: 'fanout-bulk', ...fanoutEnv });
    expect(worker(bulkLane, FanoutBulkProcessor).isRunning()).toBe(true);
    expect(worker(bulkLane, FanoutProcessor).isRunning()).toBe(false);
    expect(worker(bulkLane, GraphProcessor).isRunning()).toBe(false);

    const sql = await env.sql();
    const redis = env.redis();
    const small = await api.register();
    const big = await api.register();
    const friends = await seedFollowers(sql, small.id, 1, 'lane_small');
    const fans = await seedFollowers(sql, big.id, 8, 'lane_big');
    await createTimelines(redis, [...friends, ...fans]);

    // Only the bulk lane runs: the small post waits on the `fanout` queue, which nobody takes.
    const quick = await api.createPost(small, 'small lane');
    const fanoutQueue = bulkLane.get(getQueueToken(QueueName.Fanout), { strict: false });
    await eventually(async () => expect(await fanoutQueue.getJobState(`post-${quick.id}`)).toBe('waiting'));
    expect(await fanoutState(small, quick.id)).toBe('pending');

    const mainLane = await env.startWorker({ WORKER_QUEUES: 'fanout,graph,maintenance', ...fanoutEnv });
    expect(worker(mainLane, FanoutProcessor).isRunning()).toBe(true);
    expect(worker(mainLane, FanoutBulkProcessor).isRunning()).toBe(false);
    const wide = await api.createPost(big, 'bulk lane');
    await eventually(async () => expect(await fanoutState(small, quick.id)).toBe('done'));
    await eventually(async () => expect(await fanoutState(big, wide.id)).toBe('done'));
    expect(await countHolding(redis, friends, quick.id)).toBe(1);
    expect(await countHolding(redis, fans, wide.id)).toBe(8);
    const chunks = await sql.query('SELECT chunk_no, delivered FROM fanout_chunks WHERE post_id = $1 ORDER BY chunk_no', [wide.id]);
    expect(chunks.rows).toEqual([0, 1, 2, 3].map((n) => ({ chunk_no: n, delivered: 2 })));
  });
});
