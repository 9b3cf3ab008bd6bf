import { Client } from 'pg';
import request from 'supertest';
import { signToken } from '../bench/tokens';
import { ApiClient, eventually, TestUser } from './support/api-client';
import { freePort, waitForLog } from './support/processes';
import { TestEnv } from './support/test-env';

jest.setTimeout(180_000);

const FOLLOWERS = 2_000;
const IN_FLIGHT = 25;
const THRESHOLD = 1_000;

/**
 * A viral account: 2,000 users follow one account at once through two API processes, 25 requests
 * in flight. Before the count deltas, this got 500s (deadlocks on the followee's counter row) and
 * requests stuck behind its lock. Every follow must succeed and every count be exact at once,
 * while the deltas are pending, and after the worker has folded them.
 */
describe('viral account: thousands of follows of one account at once', () => {
  let env: TestEnv;
  let sql: Client;
  let nodes: string[];
  let star: TestUser;
  let fans: TestUser[];

  /** Runs the calls `IN_FLIGHT` at a time, alternating between the API nodes; returns the statuses. */
  const burst = async (method: 'post' | 'delete', users: TestUser[]): Promise<number[]> => {
    const statuses: number[] = [];
    let next = 0;
    const lane = async () => {
      while (next < users.length) {
        const i = next++;
        const res = await request(nodes[i % nodes.length])
          [method](`/users/${star.username}/follow`)
          .set('Authorization', `Bearer ${users[i].token}`);
        statuses.push(res.status);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
    return statuses;
  };

  const counts = async (url: string, username: string) => {
    const res = await request(url).get(`/users/${username}`).set('Authorization', `Bearer ${star.token}`);
    expect(res.status).toBe(200);
    return { followers: res.body.followersCount as number, following: res.body.followingCount as number };
  };

  /** The exact counts from the follows table, for every user the test made. */
  const truth = async () =>
    (
      await sql.query<{ id: string; followers: number; following: number }>(
        `SELECT u.id,
                (SELECT count(*)::int FROM follows WHERE followee_id = u.id) AS followers,
                (SELECT count(*)::int FROM follows WHERE follower_id = u.id) AS following
         FROM users u ORDER BY u.id`,
      )
    ).rows;

  beforeAll(async () => {
    env = await TestEnv.create({ FANOUT_CELEBRITY_THRESHOLD: String(THRESHOLD) });
    const ports = [await freePort(), await freePort()];
    const apis = ports.map((port) => env.spawn({ ROLE: 'api', PORT: String(port), LOG_LEVEL: 'log' }));
    await Promise.all(apis.map((child) => waitForLog(child, '"listening"')));
    nodes = ports.map((port) => `http://127.0.0.1:${port}`);
    star = await new ApiClient(nodes[0]).register('viral_star');
    sql = await env.sql();
    // Seeded in SQL with signed tokens: 2,000 argon2 registrations would take minutes here.
    const { rows } = await sql.query<{ id: string; username: string }>(
      `INSERT INTO users (username, display_name, password_hash)
       SELECT 'fan_' || n, 'Fan ' || n, 'seeded-user-cannot-log-in' FROM generate_series(1, $1) AS n
       RETURNING id, username`,
      [FOLLOWERS],
    );
    fans = rows.map((r) => ({ ...r, token: signToken('test-secret', r) }));
  });

  afterAll(() => env.close());

  it('answers 200 to all 2,000 follows, and both nodes count them exactly while the deltas are pending', async () => {
    const statuses = await burst('post', fans);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(statuses).toHaveLength(FOLLOWERS);

    // No worker runs yet, so nothing is folded: the answers add the pending deltas.
    expect(Number((await sql.query('SELECT count(*) FROM follow_count_deltas')).rows[0].count)).toBe(2 * FOLLOWERS);
    for (const url of nodes) expect(await counts(url, star.username)).toEqual({ followers: FOLLOWERS, following: 0 });
    for (const fan of [fans[0], fans[999], fans[FOLLOWERS - 1]]) {
      expect(await counts(nodes[1], fan.username)).toEqual({ followers: 0, following: 1 });
    }
    const page = await request(nodes[0]).get(`/users/${star.username}/followers?limit=100`).set('Authorization', `Bearer ${star.token}`);
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(100);
    for (const item of page.body.items) expect(item).toMatchObject({ followersCount: 0, followingCount: 1 });
    const me = await request(nodes[1]).get('/users/me').set('Authorization', `Bearer ${star.token}`);
    expect(me.body.followersCount).toBe(FOLLOWERS);
  });

  it('takes a burst of unfollows mixed with repeated follows, and still counts exactly', async () => {
    const leaving = fans.slice(0, 500);
    const repeating = fans.slice(500, 1_000);
    const [left, repeated] = await Promise.all([burst('delete', leaving), burst('post', repeating)]);
    expect([...left, ...repeated].filter((s) => s !== 200)).toEqual([]);
    for (const url of nodes) expect(await counts(url, star.username)).toEqual({ followers: FOLLOWERS - 500, following: 0 });
    expect(await counts(nodes[0], leaving[0].username)).toEqual({ followers: 0, following: 0 });
    expect(await counts(nodes[0], repeating[0].username)).toEqual({ followers: 0, following: 1 });
  });

  it('treats the account as big from the exact count: its post is merged at read, not fanned out', async () => {
    // The worker starts with the deltas pending; its fan-out must count them to see a big account.
    const post = await new ApiClient(nodes[0]).createPost(star, 'gone viral');
    const worker = env.spawn({ ROLE: 'worker', LOG_LEVEL: 'log' });
    await waitForLog(worker, 'worker started');
    const status = await eventually(async () => {
      const res = await request(nodes[1]).get(`/posts/${post.id}/fanout`).set('Authorization', `Bearer ${star.token}`);
      expect(res.body.state).toBe('skipped');
      return res.body;
    });
    expect(status.followers).toBe(FOLLOWERS - 500);
    expect(await new ApiClient(nodes[1]).homeIds(fans[1_500])).toContain(post.id);
  });

  it('folds the deltas into the users counters in the worker, and every count stays exact', async () => {
    await eventually(async () => expect(Number((await sql.query('SELECT count(*) FROM follow_count_deltas')).rows[0].count)).toBe(0));
    const stored = await sql.query<{ id: string; followers: number; following: number }>(
      'SELECT id, followers_count AS followers, following_count AS following FROM users ORDER BY id',
    );
    expect(stored.rows).toEqual(await truth());
    for (const url of nodes) expect(await counts(url, star.username)).toEqual({ followers: FOLLOWERS - 500, following: 0 });
  });
});
