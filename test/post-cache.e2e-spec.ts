import { PostCacheRepository } from '../src/post-store/post-cache.repository';
import { PostView } from '../src/post-store/post.presenter';
import { TestRedis, TestRedisTarget } from './support/test-redis';

function post(id: string): PostView {
  return { id, text: `post ${id} ✓`, createdAt: new Date(0).toISOString(), author: { id: '7', username: 'ann', displayName: 'Ann' }, replyTo: null, repostOf: null };
}

// The post cache on the real Redis (one server, or the cluster in the e2e-cluster project): a page's
// posts are read in one round trip however their keys spread over slots.
describe('post cache', () => {
  let target: TestRedisTarget;
  let redis: TestRedis;
  let cache: PostCacheRepository;

  beforeAll(async () => {
    target = await TestRedisTarget.create();
    redis = target.client();
    cache = new PostCacheRepository(redis, redis.keys);
  });

  afterAll(async () => {
    redis.disconnect();
    await target.release();
  });

  it('answers a page of ids in their order: cached posts, gone ones, and misses', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => String(5000 + i));
    const cached = ids.filter((_, i) => i % 3 === 0);
    const gone = ids.filter((_, i) => i % 3 === 1);
    await cache.putMany(cached.map(post), gone);

    const asked = [...ids, cached[0]];
    expect(await cache.getMany(asked)).toEqual(asked.map((id) => (cached.includes(id) ? post(id) : gone.includes(id) ? 'gone' : undefined)));
  });

  it('takes the entries it is handed as they are, and reads only the rest', async () => {
    await cache.putMany([post('7001'), post('7002')]);
    const handed = { ...post('7001'), text: 'read with the timeline' };
    const known = new Map([
      ['7001', JSON.stringify(handed)],
      ['7003', null],
    ]);
    expect(await cache.getMany(['7001', '7002', '7003'], known)).toEqual([handed, post('7002'), undefined]);
  });

  it('parses a post once while its cached text stays the same, hands it out frozen, and sees a change at once', async () => {
    await cache.putMany([post('6001')]);
    const [first] = await cache.getMany(['6001']);
    const [again] = await cache.getMany(['6001']);
    expect(again).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen((first as PostView).author)).toBe(true);

    const edited = { ...post('6001'), text: 'another text' };
    await cache.putMany([edited]);
    expect(await cache.getMany(['6001'])).toEqual([edited]);
    await cache.markGone(['6001']);
    expect(await cache.getMany(['6001'])).toEqual(['gone']);
  });
});

