import Redis from 'ioredis';
import { RedisDbClaim } from '../bench/redis-db-claim';
import { ApiClient, eventually } from './support/api-client';
import { TEST_REDIS_SERVER } from './support/servers';
import { TestEnv } from './support/test-env';

jest.setTimeout(60_000);

/**
 * QUEUE_REDIS_URL on a second Redis database: every BullMQ key (jobs, the retention scheduler)
 * lands there, and only there, while timelines stay on REDIS_URL (one Redis, or the cluster in the
 * e2e-cluster project).
 */
describe('QUEUE_REDIS_URL: the queues on a Redis of their own', () => {
  let env: TestEnv;
  let queueClaim: RedisDbClaim;
  let api: ApiClient;

  beforeAll(async () => {
    env = await TestEnv.create();
    queueClaim = await RedisDbClaim.take(TEST_REDIS_SERVER);
    const apart = { QUEUE_REDIS_URL: queueClaim.url };
    const { url } = await env.startApp({ ROLE: 'api', ...apart });
    api = new ApiClient(url);
    await env.startWorker(apart);
  });

  afterAll(async () => {
    await env.close();
    await queueClaim.release();
  });

  it('fans out through queues kept apart from the timelines', async () => {
    const author = await api.register();
    const reader = await api.register();
    await api.follow(reader, author);
    await api.homeIds(reader);
    const post = await api.createPost(author, 'through the queue Redis');
    await eventually(async () => expect(await api.homeIds(reader)).toEqual([post.id]));
    await eventually(async () => expect((await api.get(`/posts/${post.id}/fanout`, author)).body.state).toBe('done'));

    const main = env.redis();
    const q = main.keys.queuePrefix();
    const queues = new Redis(queueClaim.url);
    try {
      const queueKeys = await queues.keys('*');
      expect(queueKeys.filter((k) => !k.startsWith(`${q}:`))).toEqual([]);
      // The post's fan-out job, the follow's merge job and the retention job scheduler are there.
      const expected = [`${q}:fanout:post-${post.id}`, `${q}:graph:meta`, `${q}:maintenance:repeat`];
      expect(queueKeys).toEqual(expect.arrayContaining(expected));
      // ... and not on REDIS_URL (one Redis or the cluster), which holds the timelines.
      for (const key of expected) expect(await main.exists(key)).toBe(0);
      expect(await main.exists(main.keys.home(reader.id))).toBe(1);
      expect(queueKeys.filter((k) => k.includes(`{u:${reader.id}}`))).toEqual([]);
    } finally {
      queues.disconnect();
    }
  });
});
