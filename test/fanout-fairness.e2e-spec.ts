import { ApiClient, eventually, TestUser } from './support/api-client';
import { seedFollowers } from './support/seed';
import { TestEnv } from './support/test-env';
import { countHolding, createTimelines } from './support/timelines';

jest.setTimeout(180_000);

// mastodon#17856: one popular post backed the queue up for 30 minutes. Here big followings are cut
// into chunks on their own queue, so a small post never waits behind them.
describe('fan-out fairness', () => {
  let env: TestEnv;
  let api: ApiClient;

  beforeAll(async () => {
    env = await TestEnv.create({ FANOUT_CELEBRITY_THRESHOLD: '1000000' });
    const { url } = await env.startApp();
    api = new ApiClient(url);
  });

  afterAll(() => env.close());

  const status = async (user: TestUser, postId: string) => (await api.get(`/posts/${postId}/fanout`, user)).body;
  const done = (user: TestUser, postId: string) =>
    eventually(async () => {
      const s = await status(user, postId);
      expect(s.state).toBe('done');
      return s;
    }, 150_000, 25);

  it('delivers a 10-follower post while a 100,000-follower fan-out is still running', async () => {
    const sql = await env.sql();
    const redis = env.redis();
    const star = await api.register();
    const small = await api.register();
    const fans = await seedFollowers(sql, star.id, 100_000, 'fan');
    const friends = await seedFollowers(sql, small.id, 10, 'friend');
    await createTimelines(redis, [...fans, ...friends]);

    const big = await api.createPost(star, 'to a hundred thousand');
    await eventually(async () => expect((await status(star, big.id)).state).toBe('running'), 30_000, 10);

    const quick = await api.createPost(small, 'to ten friends');
    const quickStatus = await done(small, quick.id);
    const bigWhenQuickDone = await status(star, big.id);
    expect(bigWhenQuickDone.state).toBe('running');
    expect(bigWhenQuickDone.delivered).toBeLessThan(100_000);
    expect(await countHolding(redis, friends, quick.id)).toBe(10);

    const bigStatus = await done(star, big.id);
    expect(new Date(quickStatus.finishedAt).getTime()).toBeLessThan(new Date(bigStatus.finishedAt).getTime());
    expect(bigStatus.delivered).toBe(100_000);
    expect(await countHolding(redis, fans, big.id)).toBe(100_000);
  });
});
