import { Client } from 'pg';
import { ApiClient, eventually, TestUser } from './support/api-client';
import { LiveClient } from './support/live-client';
import { seedFollowees, seedFollowers } from './support/seed';
import { TestEnv } from './support/test-env';
import { FOLLOWS_KEPT } from '../src/graph/relations';
import { TestRedis } from './support/test-redis';
import { forgetInRedis, homeEntries, isHomeComplete } from './support/timelines';

jest.setTimeout(90_000);

/** An account with more than 3 followers is merged at read, not fanned out. */
const THRESHOLD = 3;

/** The helpers every describe below uses, on its own environment. */
function world(env: () => TestEnv, url: () => string, clients: LiveClient[]) {
  const api = () => new ApiClient(url());
  const ok = async (res: Promise<{ status: number; body: unknown }>, status = 200) => {
    const r = await res;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body as Record<string, unknown>;
  };
  return {
    users: async (n: number) => {
      const made: TestUser[] = [];
      for (let i = 0; i < n; i++) made.push(await api().register());
      return made;
    },
    reply: async (who: TestUser, to: string, text = 'a reply') =>
      (await ok(api().post('/posts', who).send({ text, replyToId: to }), 201)) as { id: string },
    repost: async (who: TestUser, id: string) => (await ok(api().post(`/posts/${id}/repost`, who), 201)) as { id: string },
    /** Waits until every background job recorded so far (fan-outs, merges, retractions) is done. */
    settled: async (sql: Client) =>
      eventually(async () => expect((await sql.query('SELECT count(*)::int AS n FROM outbox WHERE done_at IS NULL')).rows[0].n).toBe(0), 30_000),
    connect: async (user: TestUser) => {
      const client = await LiveClient.connect(url(), user.token);
      clients.push(client);
      return client;
    },
    makeBig: async (sql: Client, user: TestUser) => {
      await seedFollowers(sql, user.id, THRESHOLD + 1, `big${user.id}_`);
      // Its first post marks it big (merged at read), before any socket of the test connects.
      const warm = await api().createPost(user, 'warm up');
      await eventually(async () => expect((await api().get(`/posts/${warm.id}/fanout`, user)).body.state).toBe('skipped'));
    },
    /** Every post id of the home timeline, page after page (limit 5), newest first. */
    wholeHome: async (user: TestUser) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 100; pages++) {
        const body = await ok(api().get(`/timelines/home?limit=5${cursor ? `&cursor=${cursor}` : ''}`, user));
        ids.push(...(body.items as { id: string }[]).map((p) => p.id));
        cursor = body.nextCursor as string | null;
        if (cursor === null) return ids;
      }
      throw new Error('home timeline never ended');
    },
    env,
  };
}

/** Rules 1 (replies), 2 (reposts: the original's author, the dedup) and 3 (deleted originals) on every path. */
describe('feed rules: replies and reposts on every path', () => {
  let env: TestEnv;
  let api: ApiClient;
  let url: string;
  let sql: Client;
  let redis: TestRedis;
  const clients: LiveClient[] = [];
  const w = world(() => env, () => url, clients);

  beforeAll(async () => {
    // A small Redis window, so that deep pages come from PostgreSQL after a dozen posts.
    env = await TestEnv.create({ FANOUT_CELEBRITY_THRESHOLD: String(THRESHOLD), TIMELINE_MAX_LENGTH: '12' });
    ({ url } = await env.startApp());
    api = new ApiClient(url);
    sql = await env.sql();
    redis = env.redis();
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await env.close();
  });

  describe('rule 1: a reply reaches a follower only when they also follow the account replied to', () => {
    it('fan-out writes and pushes it to those followers, to the account replied to and to its author, and to no one else', async () => {
      const [author, other, both, onlyAuthor] = await w.users(4);
      await api.follow(both, author);
      await api.follow(both, other);
      await api.follow(onlyAuthor, author);
      await api.follow(other, author);
      for (const user of [author, other, both, onlyAuthor]) await api.homeIds(user);
      const live = { both: await w.connect(both), onlyAuthor: await w.connect(onlyAuthor), other: await w.connect(other) };
      const question = await api.createPost(other, 'a question');
      const answer = await w.reply(author, question.id, 'an answer');
      const plain = await api.createPost(author, 'a plain post');
      await w.settled(sql);
      for (const reader of [both, other, author]) {
        expect(await homeEntries(redis, reader.id)).toContain(answer.id);
        expect(await api.homeIds(reader)).toContain(answer.id);
      }
      expect(await homeEntries(redis, onlyAuthor.id)).not.toContain(answer.id);
      expect(await api.homeIds(onlyAuthor)).toEqual([plain.id]);
      await eventually(async () => expect(live.both.posts.map((p) => p.id)).toEqual(expect.arrayContaining([answer.id, plain.id])));
      await eventually(async () => expect(live.other.posts.map((p) => p.id)).toContain(answer.id));
      await eventually(async () => expect(live.onlyAuthor.posts.map((p) => p.id)).toContain(plain.id));
      expect(live.onlyAuthor.posts.map((p) => p.id)).not.toContain(answer.id);
    });

    it('holds at read whether the reader’s following comes with their cached relations or is too large and asked of PostgreSQL', async () => {
      const [author, other, stranger, few, many] = await w.users(5);
      // Seeded first: SQL behind the API's back would leave a cached entry stale.
      await seedFollowees(sql, many.id, FOLLOWS_KEPT, `many${many.id}_`);
      for (const reader of [few, many]) {
        await api.follow(reader, author);
        await api.follow(reader, other);
      }
      const answered = await w.reply(author, (await api.createPost(other, 'followed asks')).id, 'shown');
      const hidden = await w.reply(author, (await api.createPost(stranger, 'stranger asks')).id, 'not shown');
      await w.settled(sql);
      for (const reader of [few, many]) {
        const home = await api.homeIds(reader);
        expect(home).toContain(answered.id);
        expect(home).not.toContain(hidden.id);
      }
      const cached = async (userId: string) => JSON.parse((await redis.get(redis.keys.relations(userId)))!.split('|')[1]).follows;
      expect((await cached(few.id)).sort()).toEqual([author.id, other.id].sort());
      expect(await cached(many.id)).toBeNull();
    });

    it('a big account’s reply is merged at read, and pushed live, only for those followers', async () => {
      const [star, other, both, onlyStar] = await w.users(4);
      await w.makeBig(sql, star);
      await api.follow(both, star);
      await api.follow(both, other);
      await api.follow(onlyStar, star);
      const live = { both: await w.connect(both), onlyStar: await w.connect(onlyStar) };
      const question = await api.createPost(other, 'asked of a star');
      const answer = await w.reply(star, question.id, 'the star answers');
      const plain = await api.createPost(star, 'the star posts');
      await w.settled(sql);
      expect((await api.get(`/posts/${answer.id}/fanout`, star)).body.state).toBe('skipped');
      expect(await api.homeIds(both)).toEqual(expect.arrayContaining([answer.id, plain.id]));
      expect(await api.homeIds(onlyStar)).toContain(plain.id);
      expect(await api.homeIds(onlyStar)).not.toContain(answer.id);
      await eventually(async () => expect(live.both.posts.map((p) => p.id)).toEqual(expect.arrayContaining([answer.id, plain.id])));
      await eventually(async () => expect(live.onlyStar.posts.map((p) => p.id)).toContain(plain.id));
      expect(live.onlyStar.posts.map((p) => p.id)).not.toContain(answer.id);
    });

    it('leaves it out of the follow backfill, a rebuilt timeline, deep pages and timeline:sync, and takes it out on an unfollow', async () => {
      const [author, other, follower, both] = await w.users(4);
      const question = await api.createPost(other, 'q');
      const before = await api.createPost(author, 'before');
      const answer = await w.reply(author, question.id, 'a');
      await w.settled(sql);
      // Backfill: the reader who does not follow `other` gets the reply merged into Redis, never shown.
      for (const reader of [follower, both]) await api.homeIds(reader);
      await api.follow(both, other);
      await api.follow(both, author);
      await api.follow(follower, author);
      await w.settled(sql);
      expect(await api.homeIds(follower)).toEqual([before.id]);
      expect(await api.homeIds(both)).toEqual([answer.id, before.id, question.id]);
      const live = await w.connect(follower);
      expect(((await live.sync(before.id)) as { items: unknown[] }).items).toEqual([]);

      // Rebuilt after Redis lost it.
      await forgetInRedis(redis, { users: [follower.id] });
      expect(await api.homeIds(follower)).toEqual([before.id]);
      await eventually(async () => expect(await isHomeComplete(redis, follower.id)).toBe(true));
      expect(await api.homeIds(follower)).toEqual([before.id]);

      // Deep pages: a dozen newer posts push it below the Redis window.
      const newer: string[] = [];
      for (let i = 0; i < 13; i++) newer.unshift((await api.createPost(author, `newer ${i}`)).id);
      await w.settled(sql);
      expect(await w.wholeHome(follower)).toEqual([...newer, before.id]);
      expect(await w.wholeHome(both)).toEqual([...newer, answer.id, before.id, question.id]);

      // Unfollowing the account replied to takes the reply out of a home that showed it.
      await api.delete(`/users/${other.username}/follow`, both);
      await w.settled(sql);
      expect(await w.wholeHome(both)).toEqual([...newer, before.id]);
    });
  });

  describe('rule 2: reposts', () => {
    it('never shows the author of the original a repost of it, written or merged from a big account', async () => {
      const [author, sharer, star] = await w.users(3);
      await w.makeBig(sql, star);
      await api.follow(author, sharer);
      await api.follow(author, star);
      await api.homeIds(author);
      const live = await w.connect(author);
      const original = await api.createPost(author, 'mine');
      const shares = [await w.repost(sharer, original.id), await w.repost(star, original.id)];
      const plain = await api.createPost(sharer, 'the sharer’s own');
      await w.settled(sql);
      expect(await homeEntries(redis, author.id)).not.toContain(shares[0].id);
      const home = await api.homeIds(author);
      expect(home.slice(0, 2)).toEqual([plain.id, original.id]);
      for (const shared of shares) expect(home).not.toContain(shared.id);
      await eventually(async () => expect(live.posts.map((p) => p.id)).toContain(plain.id));
      for (const shared of shares) expect(live.posts.map((p) => p.id)).not.toContain(shared.id);
      // The reposters see their own reposts.
      expect(await api.homeIds(sharer)).toContain(shares[0].id);
    });

    it('skips on fan-out a repost, or a repost of a repost, whose original or another repost of it is among the newest entries, without moving what is there', async () => {
      const [author, first, second, reader, onlyFirst] = await w.users(5);
      for (const followee of [author, first, second]) await api.follow(reader, followee);
      await api.follow(onlyFirst, first);
      await api.follow(onlyFirst, second);
      for (const user of [reader, onlyFirst]) await api.homeIds(user);
      const live = await w.connect(reader);
      const original = await api.createPost(author, 'worth sharing');
      const share = await w.repost(first, original.id);
      const shareOfShare = await w.repost(second, share.id);
      const plain = await api.createPost(second, 'second’s own');
      await w.settled(sql);
      // The reader had the original: neither repost is added, and the original stays where it was.
      expect(await homeEntries(redis, reader.id)).toEqual([original.id, plain.id]);
      expect(await api.homeIds(reader)).toEqual([plain.id, original.id]);
      await eventually(async () => expect(live.posts.map((p) => p.id)).toContain(plain.id));
      // Pushed live: those two only (fan-outs of different authors may finish in either order).
      expect(live.posts.map((p) => p.id).sort()).toEqual([original.id, plain.id].sort());
      // The second reader gets the first repost; the repost of it reposts the same original: skipped.
      expect(await homeEntries(redis, onlyFirst.id)).toEqual([share.id, plain.id]);
      expect(await api.homeIds(onlyFirst)).toEqual([plain.id, share.id]);
      expect((await api.get(`/posts/${shareOfShare.id}`, reader)).body.repostOf.id).toBe(original.id);
    });

    it('leaves out at read what fan-out did not write: a big account’s repost, a backfilled repost, a rebuilt timeline’s', async () => {
      const [author, star, sharer, reader] = await w.users(4);
      await w.makeBig(sql, star);
      await api.follow(reader, author);
      await api.follow(reader, star);
      await api.homeIds(reader);
      const original = await api.createPost(author, 'an original');
      const starShare = await w.repost(star, original.id);
      const share = await w.repost(sharer, original.id);
      await w.settled(sql);
      let home = await api.homeIds(reader);
      expect(home).toContain(original.id);
      expect(home).not.toContain(starShare.id);
      // The follow backfill merges the sharer's repost into Redis; the read leaves it out.
      await api.follow(reader, sharer);
      await w.settled(sql);
      expect(await homeEntries(redis, reader.id)).toContain(share.id);
      home = await api.homeIds(reader);
      expect(home.filter((id) => [original.id, share.id, starShare.id].includes(id))).toEqual([original.id]);
      // Rebuilt from PostgreSQL: the same.
      await forgetInRedis(redis, { users: [reader.id] });
      expect((await api.homeIds(reader)).filter((id) => [original.id, share.id, starShare.id].includes(id))).toEqual([original.id]);
      await eventually(async () => expect(await isHomeComplete(redis, reader.id)).toBe(true));
      expect((await api.homeIds(reader)).filter((id) => [original.id, share.id, starShare.id].includes(id))).toEqual([original.id]);
    });
  });

  describe('rule 3: deleting a post takes its reposts out of every timeline and screen, and leaves its replies', () => {
    it('on every path: written, merged from a big reposter, pushed live, timeline:sync', async () => {
      const [author, sharer, star, reader, starFan, replier] = await w.users(6);
      await w.makeBig(sql, star);
      await api.follow(reader, sharer);
      await api.follow(reader, replier);
      await api.follow(starFan, star);
      await api.follow(replier, author);
      for (const user of [reader, starFan]) await api.homeIds(user);
      const before = await api.createPost(replier, 'before');
      const original = await api.createPost(author, 'soon deleted');
      const share = await w.repost(sharer, original.id);
      const starShare = await w.repost(star, original.id);
      const answer = await w.reply(replier, original.id, 'an answer that stays');
      await w.settled(sql);
      const live = { reader: await w.connect(reader), starFan: await w.connect(starFan) };
      expect(await api.homeIds(reader)).toEqual([share.id, before.id]);
      expect(await api.homeIds(starFan)).toContain(starShare.id);

      expect((await api.delete(`/posts/${original.id}`, author)).status).toBe(204);
      await eventually(async () => expect(live.reader.deletes).toContain(share.id));
      await eventually(async () => expect(live.starFan.deletes).toContain(starShare.id));
      await w.settled(sql);
      expect(await homeEntries(redis, reader.id)).not.toContain(share.id);
      expect(await api.homeIds(reader)).toEqual([before.id]);
      expect(await api.homeIds(starFan)).not.toContain(starShare.id);
      expect(((await live.reader.sync(before.id)) as { items: unknown[] }).items).toEqual([]);
      // The reply stays, still naming the deleted post.
      const kept = (await api.get(`/posts/${answer.id}`, reader)).body;
      expect(kept.replyTo).toMatchObject({ id: original.id, author: { id: author.id } });
      expect(await api.homeIds(replier)).toContain(answer.id);
    });
  });
});

/** The dedup window's edge, with the defaults: TIMELINE_MAX_LENGTH 800 and REPOST_DEDUP_WINDOW 40. */
describe('feed rules: the repost dedup window’s edge', () => {
  let env: TestEnv;
  let url: string;
  let api: ApiClient;
  let sql: Client;
  let redis: TestRedis;
  const w = world(() => env, () => url, []);

  beforeAll(async () => {
    env = await TestEnv.create();
    ({ url } = await env.startApp());
    api = new ApiClient(url);
    sql = await env.sql();
    redis = env.redis();
  });

  afterAll(() => env.close());

  it('skips a repost whose original is the 40th newest entry, and adds one whose original is the 41st', async () => {
    const [author, chatty, oneMore, sharer, at40, at41] = await w.users(6);
    for (const reader of [at40, at41]) {
      for (const followee of [author, chatty, sharer]) await api.follow(reader, followee);
      await api.homeIds(reader);
    }
    await api.follow(at41, oneMore);
    const original = await api.createPost(author, 'the original');
    for (let i = 0; i < 39; i++) await api.createPost(chatty, `chatter ${i}`);
    await api.createPost(oneMore, 'one more for the second reader');
    await w.settled(sql);
    const entries40 = await homeEntries(redis, at40.id);
    const entries41 = await homeEntries(redis, at41.id);
    expect(entries40).toHaveLength(40);
    expect(entries40[0]).toBe(original.id); // the 40th newest
    expect(entries41).toHaveLength(41);
    expect(entries41[0]).toBe(original.id); // the 41st newest

    const share = await w.repost(sharer, original.id);
    await w.settled(sql);
    expect(await homeEntries(redis, at40.id)).toEqual(entries40);
    expect(await homeEntries(redis, at41.id)).toEqual([...entries41, share.id]);
    expect((await api.homeIds(at41, '?limit=1'))).toEqual([share.id]);
    const home40 = await w.wholeHome(at40);
    expect(home40).not.toContain(share.id);
    expect(home40[39]).toBe(original.id);
  });
});
