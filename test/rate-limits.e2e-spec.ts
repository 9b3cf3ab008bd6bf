import request, { Response } from 'supertest';
import { expectError } from './expect-error';
import { eventually, TestUser } from './support/api-client';
import { LiveClient } from './support/live-client';
import { TestEnv } from './support/test-env';

jest.setTimeout(120_000);

/**
 * Low limits, each with a one-hour window so that no window turns over during the test: the
 * N-th request is the last one allowed and the next is refused, on whichever API node it lands.
 * TRUST_PROXY=loopback lets each test speak from addresses of its own through X-Forwarded-For.
 */
const LIMITS = {
  RATE_LIMIT_LOGIN: '4/1h',
  RATE_LIMIT_REGISTER: '3/1h',
  RATE_LIMIT_WRITE: '4/1h',
  RATE_LIMIT_READ: '5/1h',
  LIVE_MAX_SOCKETS: '2',
  TRUST_PROXY: 'loopback',
};
const HOUR = 3600;

function expectLimited(res: Response, limit: number): void {
  expectError(res, 429, /too many requests/);
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(HOUR);
  expect(res.headers['ratelimit-limit']).toBe(String(limit));
  expect(res.headers['ratelimit-remaining']).toBe('0');
  expect(res.headers['ratelimit-reset']).toBe(String(retryAfter));
}

function expectAllowed(res: Response, status: number, limit: number, remaining: number): void {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text.slice(0, 300)}`);
  expect([res.headers['ratelimit-limit'], res.headers['ratelimit-remaining']]).toEqual([String(limit), String(remaining)]);
  const reset = Number(res.headers['ratelimit-reset']);
  expect(reset).toBeGreaterThanOrEqual(1);
  expect(reset).toBeLessThanOrEqual(HOUR);
}

let addressCounter = 0;
/** A client address of its own (through the trusted proxy header). */
const newAddress = () => `10.${(process.pid >> 8) & 255}.${process.pid & 255}.${++addressCounter}`;
let userCounter = 0;

describe('rate limits, shared by two API processes (API.md "limits and headers")', () => {
  let env: TestEnv;
  let urlA: string;
  let urlB: string;
  const clients: LiveClient[] = [];

  /** Alternates the two nodes: the counts must be shared for the edges below to hold. */
  const node = (i: number) => (i % 2 === 0 ? urlA : urlB);

  const register = async (from = newAddress(), url = urlA): Promise<TestUser> => {
    const username = `rl${process.pid % 10000}_${++userCounter}`;
    const res = await request(url).post('/auth/register').set('X-Forwarded-For', from).send({ username, password: 'password123' });
    if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
    return { id: res.body.user.id, username, token: res.body.accessToken };
  };
  const as = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });
  const connect = async (url: string, user: TestUser) => {
    const client = await LiveClient.connect(url, user.token);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    env = await TestEnv.create(LIMITS);
    urlA = (await env.startApp()).url;
    urlB = await env.spawnApi();
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await env.close();
  });

  it('RATE_LIMIT_REGISTER: 3 registrations per address, then 429 with Retry-After; another address still registers', async () => {
    const from = newAddress();
    for (let i = 0; i < 3; i++) {
      const res = await request(node(i)).post('/auth/register').set('X-Forwarded-For', from).send({ username: `reg${process.pid % 10000}_${i}`, password: 'password123' });
      expectAllowed(res, 201, 3, 2 - i);
    }
    const refused = await request(node(3)).post('/auth/register').set('X-Forwarded-For', from).send({ username: `reg${process.pid % 10000}_x`, password: 'password123' });
    expectLimited(refused, 3);
    // Nothing was created by the refused request.
    const login = await request(urlA).post('/auth/login').set('X-Forwarded-For', newAddress()).send({ username: `reg${process.pid % 10000}_x`, password: 'password123' });
    expectError(login, 401);
    await register(newAddress(), urlB);
  });

  it('RATE_LIMIT_LOGIN per username: 4 attempts whatever the address and letter case, then 429 even with the right password', async () => {
    const victim = await register();
    const attempt = (i: number, username: string, password: string) =>
      request(node(i)).post('/auth/login').set('X-Forwarded-For', newAddress()).send({ username, password });
    expectAllowed(await attempt(0, victim.username, 'wrong-password'), 401, 4, 3);
    expectAllowed(await attempt(1, victim.username.toUpperCase(), 'wrong-password'), 401, 4, 2);
    expectAllowed(await attempt(2, victim.username, 'password123'), 200, 4, 1);
    expectAllowed(await attempt(3, victim.username, 'wrong-password'), 401, 4, 0);
    expectLimited(await attempt(4, victim.username, 'password123'), 4);
    expectLimited(await attempt(5, victim.username.toUpperCase(), 'password123'), 4);
    // Another account signs in as usual.
    const other = await register();
    expect((await attempt(6, other.username, 'password123')).status).toBe(200);
  });

  it('RATE_LIMIT_LOGIN per address: 4 attempts from one address, whatever the usernames, then 429', async () => {
    const from = newAddress();
    const users = [await register(), await register(), await register(), await register(), await register()];
    for (let i = 0; i < 4; i++) {
      const res = await request(node(i)).post('/auth/login').set('X-Forwarded-For', from).send({ username: users[i].username, password: 'password123' });
      expect(res.status).toBe(200);
    }
    const refused = await request(node(4)).post('/auth/login').set('X-Forwarded-For', from).send({ username: users[4].username, password: 'password123' });
    expectLimited(refused, 4);
    // A malformed attempt from that address is refused too: the limit comes before any work.
    expectLimited(await request(urlA).post('/auth/login').set('X-Forwarded-For', from).send({ username: 42 }), 4);
    const elsewhere = await request(urlB).post('/auth/login').set('X-Forwarded-For', newAddress()).send({ username: users[4].username, password: 'password123' });
    expect(elsewhere.status).toBe(200);
  });

  it('RATE_LIMIT_WRITE: posts, deletes, follows, blocks and mutes share 4 writes per user, then 429 and nothing written', async () => {
    const writer = await register();
    const other = await register();
    const first = await request(urlA).post('/posts').set(as(writer)).send({ text: 'one' });
    expectAllowed(first, 201, 4, 3);
    expectAllowed(await request(urlB).post(`/users/${other.username}/follow`).set(as(writer)), 200, 4, 2);
    expectAllowed(await request(urlA).delete(`/posts/${first.body.id}`).set(as(writer)), 204, 4, 1);
    expectAllowed(await request(urlB).post('/posts').set(as(writer)).send({ text: 'two' }), 201, 4, 0);
    expectLimited(await request(urlA).post('/posts').set(as(writer)).send({ text: 'refused' }), 4);
    expectLimited(await request(urlB).post(`/users/${other.username}/block`).set(as(writer)), 4);
    expectLimited(await request(urlA).post(`/users/${other.username}/mute`).set(as(writer)), 4);
    const posts = await request(urlA).get(`/users/${writer.username}/posts`).set(as(other));
    expect(posts.body.items.map((p: { text: string }) => p.text)).toEqual(['two']);
    // The limit is the writer's own: the other user still writes.
    expectAllowed(await request(urlB).post('/posts').set(as(other)).send({ text: 'mine' }), 201, 4, 3);
  });

  it('RATE_LIMIT_READ: authenticated GETs and timeline:sync share 5 reads per user, on both nodes; public routes are not counted', async () => {
    const reader = await register();
    const live = await connect(urlB, reader);
    expectAllowed(await request(urlA).get('/users/me').set(as(reader)), 200, 5, 4);
    expectAllowed(await request(urlB).get('/timelines/home').set(as(reader)), 200, 5, 3);
    expect(await live.sync('1')).toEqual({ items: [], hasMore: false });
    expectAllowed(await request(urlA).get('/timelines/home/marker').set(as(reader)), 200, 5, 1);
    expect((await request(urlA).get('/health')).headers['ratelimit-limit']).toBeUndefined();
    expect(await live.sync('1')).toEqual({ items: [], hasMore: false });
    expectLimited(await request(urlB).get(`/users/${reader.username}`).set(as(reader)), 5);
    const ack = (await live.sync('1')) as { error: string; retryAfter: number };
    expect(ack.error).toMatch(/too many requests/);
    expect(ack.retryAfter).toBeGreaterThanOrEqual(1);
    expect(ack.retryAfter).toBeLessThanOrEqual(HOUR);
    expect(live.socket.connected).toBe(true);
    // Writes have a budget of their own, and a refused token never spends anyone's budget.
    expect((await request(urlA).post('/posts').set(as(reader)).send({ text: 'still writes' })).status).toBe(201);
    expect((await request(urlA).get('/users/me').set('Authorization', 'Bearer nope')).headers['ratelimit-limit']).toBeUndefined();
  });

  it('LIVE_MAX_SOCKETS: a third socket of one user is refused with "too many connections" on any node; closing one frees a slot', async () => {
    const user = await register();
    const first = await connect(urlA, user);
    await connect(urlB, user);
    await expect(LiveClient.connect(urlA, user.token)).rejects.toThrow('too many connections');
    await expect(LiveClient.connect(urlB, user.token)).rejects.toThrow('too many connections');
    // Another user is not affected.
    await connect(urlA, await register());
    first.close();
    await eventually(async () => {
      await connect(urlB, user);
    });
    await expect(LiveClient.connect(urlA, user.token)).rejects.toThrow('too many connections');
  });

  it('counts every refusal in feed_rate_limited_total, per limit, on the node that refused it', async () => {
    const totals: Record<string, number> = {};
    for (const url of [urlA, urlB]) {
      const text = (await request(url).get('/metrics')).text;
      for (const [, limit, value] of text.matchAll(/^feed_rate_limited_total\{limit="(\w+)"\} (\d+)$/gm)) {
        totals[limit] = (totals[limit] ?? 0) + Number(value);
      }
    }
    // The tests above refused: 1 registration, 4 logins, 3 writes, 2 reads (a GET and a sync), 3 sockets.
    expect(totals).toEqual({ login: 4, register: 1, write: 3, read: 2, sockets: 3 });
  });

  describe('without TRUST_PROXY, and with a limit off', () => {
    let direct: string;

    beforeAll(async () => {
      direct = (await env.startApp({ TRUST_PROXY: '', RATE_LIMIT_READ: 'off' })).url;
    });

    it('ignores X-Forwarded-For: every request counts against the connecting address', async () => {
      for (let i = 0; i < 3; i++) {
        const res = await request(direct).post('/auth/register').set('X-Forwarded-For', newAddress()).send({ username: `px${process.pid % 10000}_${i}`, password: 'password123' });
        expectAllowed(res, 201, 3, 2 - i);
      }
      const refused = await request(direct).post('/auth/register').set('X-Forwarded-For', newAddress()).send({ username: `px${process.pid % 10000}_x`, password: 'password123' });
      expectLimited(refused, 3);
    });

    it('sends no RateLimit headers and never refuses when the limit is off', async () => {
      const user = await register();
      for (let i = 0; i < 7; i++) {
        const res = await request(direct).get('/users/me').set(as(user));
        expect([res.status, res.headers['ratelimit-limit']]).toEqual([200, undefined]);
      }
    });
  });
});
