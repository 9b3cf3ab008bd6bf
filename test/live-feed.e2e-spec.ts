import { UNKNOWN_NAMESPACE } from '../src/realtime/redis-io.adapter';
import { ApiClient, eventually, TestUser } from './support/api-client';
import { LiveClient } from './support/live-client';
import { seedFollowers } from './support/seed';
import { freePort, waitForLog } from './support/processes';
import { TestEnv } from './support/test-env';
import { countHolding, createTimelines } from './support/timelines';

jest.setTimeout(120_000);

/** Waits a moment and checks nothing arrived: used only after a positive event proved delivery works. */
const quietFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('live feed over Socket.IO, across processes', () => {
  let env: TestEnv;
  let api1: ApiClient;
  let api2Url: string;
  const clients: LiveClient[] = [];

  const connect = async (url: string, user: TestUser) => {
    const client = await LiveClient.connect(url, user.token);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    env = await TestEnv.create({ FANOUT_CELEBRITY_THRESHOLD: '3', LOG_LEVEL: 'log' });
    const first = await env.startApp({ ROLE: 'api', LOG_LEVEL: 'warn' });
    api1 = new ApiClient(first.url);
    const port = await freePort();
    const second = env.spawn({ ROLE: 'api', PORT: String(port) });
    const worker = env.spawn({ ROLE: 'worker' });
    await Promise.all([waitForLog(second, '"listening"'), waitForLog(worker, 'worker started')]);
    api2Url = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await env.close();
  });

  it('pushes a post made through one API node, by the worker, to a follower connected to another', async () => {
    const author = await api1.register();
    const reader = await api1.register();
    await api1.follow(reader, author);
    const live = await connect(api2Url, reader);
    const post = await api1.createPost(author, 'across nodes ✨');
    await eventually(async () => expect(live.posts.map((p) => p.id)).toEqual([post.id]));
    const rest = (await api1.get(`/posts/${post.id}`, reader)).body;
    expect(live.posts[0]).toEqual(rest);
  });

  it('pushes the author’s own post to the author at once', async () => {
    const author = await api1.register();
    const live = await connect(api2Url, author);
    const post = await api1.createPost(author, 'mine');
    await eventually(async () => expect(live.posts.map((p) => p.id)).toEqual([post.id]));
  });

  it('refuses a handshake without a valid token with connect_error "unauthorized"', async () => {
    for (const token of [undefined, '', 'garbage', 42, 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.bad']) {
      await expect(LiveClient.connect(api2Url, token)).rejects.toMatchObject({ message: 'unauthorized' });
    }
  });

  it('refuses the default namespace `/` and any other but /feed, even with a valid token', async () => {
    const user = await api1.register();
    for (const token of [user.token, undefined]) {
      await expect(LiveClient.connect(api2Url, token, '/')).rejects.toMatchObject({ message: UNKNOWN_NAMESPACE });
      await expect(LiveClient.connect(api2Url, token, '/admin')).rejects.toMatchObject({ message: 'Invalid namespace' });
    }
    // The same token still opens /feed.
    (await connect(api2Url, user)).close();
  });

  it('never delivers another user’s events, whatever a client emits', async () => {
    const author = await api1.register();
    const reader = await api1.register();
    const intruder = await api1.register();
    await api1.follow(reader, author);
    const readerLive = await connect(api2Url, reader);
    const intruderLive = await connect(api2Url, intruder);
    // Attempts to reach other rooms or crash the gateway.
    intruderLive.socket.emit('join', `u:${reader.id}`);
    intruderLive.socket.emit('subscribe', { room: `u:${reader.id}` });
    intruderLive.socket.emit('timeline:post', { id: '1' });
    intruderLive.socket.emit('no-such-event', 'x'.repeat(1000));
    await expect(intruderLive.sync('1')).resolves.toEqual({ items: [], hasMore: false });

    const post = await api1.createPost(author, 'for followers only');
    await eventually(async () => expect(readerLive.posts.map((p) => p.id)).toEqual([post.id]));
    await quietFor(300);
    expect(intruderLive.events.filter((e) => e.name.startsWith('timeline:'))).toEqual([]);
    expect(intruderLive.socket.connected).toBe(true);
  });

  it('pushes timeline:delete to the follower and the author when a post is deleted', async () => {
    const author = await api1.register();
    const reader = await api1.register();
    await api1.follow(reader, author);
    const readerLive = await connect(api2Url, reader);
    const authorLive = await connect(api2Url, author);
    const post = await api1.createPost(author, 'short-lived');
    await eventually(async () => expect(readerLive.posts.map((p) => p.id)).toEqual([post.id]));
    expect((await api1.delete(`/posts/${post.id}`, author)).status).toBe(204);
    await eventually(async () => expect(readerLive.deletes).toEqual([post.id]));
    await eventually(async () => expect(authorLive.deletes).toEqual([post.id]));
  });

  it('pushes timeline:delete for the posts an unfollow takes out of the timeline', async () => {
    const author = await api1.register();
    const reader = await api1.register();
    const post = await api1.createPost(author, 'before the follow');
    await api1.follow(reader, author);
    await eventually(async () => expect(await api1.homeIds(reader)).toEqual([post.id]));
    // The first read answered from PostgreSQL and rebuilds the timeline in the background: the
    // unfollow takes the post out of it only once it is there (the case under test).
    const redis = env.redis();
    await eventually(async () => expect(await countHolding(redis, [reader.id], post.id)).toBe(1));
    const live = await connect(api2Url, reader);
    await api1.delete(`/users/${author.username}/follow`, reader);
    await eventually(async () => expect(live.deletes).toEqual([post.id]));
  });

  it('fills the gap after a disconnect with timeline:sync: exactly the missed posts, newest first', async () => {
    const author = await api1.register();
    const reader = await api1.register();
    await api1.follow(reader, author);
    let live = await connect(api2Url, reader);
    const seen = await api1.createPost(author, 'seen live');
    await eventually(async () => expect(live.posts.map((p) => p.id)).toEqual([seen.id]));
    live.close();
    const missed: { id: string }[] = [];
    for (let i = 0; i < 3; i++) missed.push(await api1.createPost(author, `missed ${i}`));
    await eventually(async () => expect((await api1.get(`/posts/${missed[2].id}/fanout`, author)).body.state).toBe('done'));

    live = await connect(api2Url, reader);
    const ack = (await live.sync(seen.id)) as { items: { id: string }[]; hasMore: boolean };
    expect(ack.items.map((p) => p.id)).toEqual(missed.map((p) => p.id).reverse());
    expect(ack.hasMore).toBe(false);
  });

  // A flood of timeline:sync is refused by the read limit: test/rate-limits.e2e-spec.ts.
  it('answers bad timeline:sync payloads with an error ack, and keeps serving', async () => {
    const user = await api1.register();
    const live = await connect(api2Url, user);
    for (const since of ['abc', -1, null, { $gt: 1 }, '1'.repeat(30)]) {
      expect(await live.sync(since)).toEqual({ error: expect.stringContaining('since') });
    }
    await expect(live.socket.timeout(2_000).emitWithAck('timeline:sync', 'not an object')).resolves.toEqual({
      error: expect.any(String),
    });
    live.socket.emit('timeline:sync', { since: '1' }); // no ack callback: nothing to answer, nothing breaks
    expect(live.socket.connected).toBe(true);
    const post = await api1.createPost(user, 'still served');
    await eventually(async () => expect(live.posts.map((p) => p.id)).toContain(post.id));
  });

  it('reaches online followers of a big account with one room emit', async () => {
    const star = await api1.register();
    const fans = [await api1.register(), await api1.register(), await api1.register(), await api1.register()];
    for (const fan of fans.slice(0, 3)) await api1.follow(fan, star);
    const early = await connect(api2Url, fans[0]);
    // The fourth follow makes the star big (threshold 3): a fan connected before still gets the room.
    const lateFan = fans[3];
    await api1.follow(lateFan, star);
    const late = await connect(api2Url, lateFan);
    const first = await api1.createPost(star, 'to the room');
    await eventually(async () => expect((await api1.get(`/posts/${first.id}/fanout`, star)).body.state).toBe('skipped'));
    await eventually(async () => expect(late.posts.map((p) => p.id)).toEqual([first.id]));
    // The early socket connected before the star was big: the fan-out that found out moved it in.
    await eventually(async () => expect(early.posts.map((p) => p.id)).toEqual([first.id]));
    const second = await api1.createPost(star, 'to the room again');
    await eventually(async () => expect(early.posts.map((p) => p.id)).toEqual([first.id, second.id]));
    await eventually(async () => expect(late.posts.map((p) => p.id)).toEqual([first.id, second.id]));
    expect(await api1.homeIds(fans[1])).toEqual([second.id, first.id]);
  });

  it('sends nothing to a user who follows nobody', async () => {
    const lonely = await api1.register();
    const author = await api1.register();
    const reader = await api1.register();
    await api1.follow(reader, author);
    const lonelyLive = await connect(api2Url, lonely);
    const readerLive = await connect(api2Url, reader);
    const post = await api1.createPost(author, 'not for lonely');
    await eventually(async () => expect(readerLive.posts.map((p) => p.id)).toEqual([post.id]));
    await quietFor(300);
    expect(lonelyLive.events).toEqual([]);
  });

  it('serves online followers first: a live reader of a big following is pushed before the fan-out ends', async () => {
    const big = await TestEnv.create({ FANOUT_CELEBRITY_THRESHOLD: '1000000', FANOUT_BATCH_SIZE: '250' });
    try {
      const { url } = await big.startApp();
      const api = new ApiClient(url);
      const author = await api.register();
      const reader = await api.register();
      const followers = await seedFollowers(await big.sql(), author.id, 30_000);
      await createTimelines(big.redis(), followers);
      await api.follow(reader, author);
      await api.homeIds(reader);
      const live = await LiveClient.connect(url, reader.token);
      clients.push(live);
      const post = await api.createPost(author, 'online first');
      await eventually(async () => expect(live.posts.map((p) => p.id)).toEqual([post.id]), 30_000, 5);
      const status = (await api.get(`/posts/${post.id}/fanout`, author)).body;
      expect(status.delivered).toBeLessThan(30_001);
      expect(status.state).not.toBe('done');
      await eventually(async () => expect((await api.get(`/posts/${post.id}/fanout`, author)).body.state).toBe('done'), 60_000);
      // Pushed once: the walk through all followers does not push to the reader again.
      expect(live.posts.map((p) => p.id)).toEqual([post.id]);
      live.close();
    } finally {
      await big.close();
    }
  });
});
