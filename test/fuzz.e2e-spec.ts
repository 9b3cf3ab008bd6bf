import fc from 'fast-check';
import { io, Socket } from 'socket.io-client';
import type { Response } from 'supertest';
import { HomeCursors } from '../src/timelines/home-cursor';
import { FEED_NAMESPACE, LiveEvent } from '../src/realtime/live-feed.events';
import { FeedGateway } from '../src/realtime/feed.gateway';
import { expectError } from './expect-error';
import { ApiClient, TestUser } from './support/api-client';
import { authorization, jsonValue, oddString } from './support/fuzz/inputs';
import { Answer, closeAgent, FuzzRequest, FuzzWorld, operations, Operation, requestFor, send } from './support/fuzz/requests';
import { TestEnv } from './support/test-env';

/**
 * Property-based fuzzing of the running service (real PostgreSQL, Redis and Socket.IO): every
 * operation of its OpenAPI document and every event a client can emit get generated requests
 * with wrong types, missing and extra fields, odd and huge Unicode, ids out of range, forged
 * cursors and tokens and bad headers. Never a 5xx, never a leak, always the contract's error
 * shape (and the OpenAPI check of TestEnv on every answer); the service still works after.
 *
 * FUZZ_SEED replays a run (the seed is printed); FUZZ_RUNS sets the HTTP requests per run.
 */
jest.setTimeout(300_000);

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
const HTTP_RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const SOCKET_RUNS = Math.max(50, Math.round(HTTP_RUNS / 5));
/** Routes that are not the API: the document itself and the metrics, fuzzed like the rest but by fewer runs. */
const MIN_RUNS_PER_OPERATION = 20;

/** The events a client may emit to the gateway, checked below against its @SubscribeMessage handlers. */
const CLIENT_EVENTS = [LiveEvent.Sync];

/** fast-check keeps the property's own error as the cause: the answer that failed is said there. */
function failureOf(err: Error): string {
  const cause = err.cause instanceof Error ? `\nCaused by: ${err.cause.message}` : '';
  return `${err.message.slice(0, 3000)}${cause.slice(0, 1000)}`;
}

/** The strings of a request an answer may name back: its path segments and its body's field names. */
function echoesOf(req: FuzzRequest): string[] {
  const segments = req.path.split('?')[0].split('/').map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment;
    }
  });
  let fields: string[] = [];
  try {
    const body: unknown = JSON.parse(req.body ?? 'null');
    if (body && typeof body === 'object') fields = Object.keys(body);
  } catch {
    // not JSON: nothing of it is named back
  }
  return [...segments, ...fields].filter((s) => s.length > 2);
}

/** Checks one answer: no 5xx, and an error is in the contract's shape with nothing internal in it. */
function checkAnswer(res: Answer, what: string, echoed: string[] = []): void {
  if (res.status >= 500 || res.status < 100) throw new Error(`${what}: ${res.status} ${res.text.slice(0, 300)}`);
  if (res.status >= 400) {
    try {
      expectError({ status: res.status, headers: res.headers, body: res.body, text: res.text } as unknown as Response, res.status, undefined, echoed);
    } catch (err) {
      throw new Error(`${what}: ${(err as Error).message}`);
    }
  }
}

describe(`fuzzing every operation and socket event (FUZZ_SEED=${SEED})`, () => {
  let env: TestEnv;
  let url: string;
  let api: ApiClient;
  let user: TestUser;
  let world: FuzzWorld;
  let ops: Operation[];
  let sent = 0;

  beforeAll(async () => {
    // eslint-disable-next-line no-console
    console.log(`fuzz: FUZZ_SEED=${SEED} FUZZ_RUNS=${HTTP_RUNS} (replay with these)`);
    env = await TestEnv.create();
    ({ url } = await env.startApp());
    api = new ApiClient(url);
    user = await api.register('fuzz_user', 'password123');
    const other = await api.register('fuzz_other', 'password123');
    await api.follow(user, other);
    const postIds: string[] = [];
    for (const [who, n] of [[user, 3], [other, 3]] as const) {
      for (let i = 0; i < n; i++) postIds.push((await api.createPost(who, `seed post ${i} of ${who.username}`)).id);
    }
    const cursors: string[] = [];
    for (const path of ['/timelines/home?limit=1', `/users/${other.username}/posts?limit=1`, `/users/${user.username}/followers?limit=1`]) {
      const next = (await api.get(path, user)).body.nextCursor;
      if (typeof next === 'string') cursors.push(next);
    }
    cursors.push((await api.get('/timelines/home?limit=1', other)).body.nextCursor ?? 'AQAAAAAAAAAAAQ');
    const homeCursors = new HomeCursors(env.config());
    world = {
      secret: env.env().JWT_SECRET,
      user,
      usernames: () => [user.username, other.username, user.username.toUpperCase()],
      postIds: () => postIds,
      cursors: () => cursors,
      signHome: (id, deep) => {
        const body = Buffer.alloc(10);
        body.writeUInt8(1, 0);
        body.writeUInt8(deep ? 1 : 0, 1);
        body.writeBigUInt64BE(id, 2);
        return Buffer.concat([body, homeCursors['mac'](user.id, body)]).toString('base64url');
      },
    };
    ops = operations((await api.get('/docs-json')).body);
  });

  afterAll(async () => {
    closeAgent();
    await env.close();
  });

  it('covers every documented operation and every event the gateway handles', () => {
    expect(ops.length).toBeGreaterThan(20);
    for (const must of ['POST /posts', 'GET /timelines/home', 'POST /auth/login', 'PUT /timelines/home/marker', 'GET /users/{username}']) {
      expect(ops.map((o) => `${o.method} ${o.path}`)).toContain(must);
    }
    const handled = Object.getOwnPropertyNames(FeedGateway.prototype)
      .map((name) => Reflect.getMetadata('message', (FeedGateway.prototype as unknown as Record<string, object>)[name]) as string | undefined)
      .filter((event): event is string => typeof event === 'string');
    expect(handled.sort()).toEqual([...CLIENT_EVENTS].sort());
  });

  it('answers generated requests to every operation without a 5xx or a leak, in the error shape', async () => {
    const runs = Math.max(MIN_RUNS_PER_OPERATION, Math.ceil(HTTP_RUNS / ops.length));
    const failures: string[] = [];
    for (const [index, op] of ops.entries()) {
      const name = `${op.method} ${op.path}`;
      // Every operation is run even when one fails, so one run shows every problem.
      await fc.assert(
        fc.asyncProperty(requestFor(op, world), async (req) => {
          sent++;
          checkAnswer(await send(url, req), `${name} as ${req.method} ${req.path.slice(0, 200)}`, echoesOf(req));
        }),
        { seed: SEED + index, numRuns: runs, endOnFailure: true, verbose: 1, interruptAfterTimeLimit: 120_000, markInterruptAsFailure: true },
      ).catch((err: Error) => failures.push(failureOf(err)));
    }
    // eslint-disable-next-line no-console
    console.log(`fuzz: ${sent} HTTP requests over ${ops.length} documented operations`);
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(Math.min(HTTP_RUNS, 1000));
  });

  describe('the live feed', () => {
    const sockets: Socket[] = [];
    afterAll(() => sockets.forEach((s) => s.close()));

    /** Opens a socket; a handshake the server neither accepts nor refuses within 10 s is a failure. */
    const open = (auth: unknown, namespace = FEED_NAMESPACE): Promise<{ socket?: Socket; error?: string }> =>
      new Promise((resolve, reject) => {
        const socket = io(`${url}${namespace}`, { auth: auth as object, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 10_000 });
        sockets.push(socket);
        const timer = setTimeout(() => {
          socket.close();
          reject(new Error(`handshake with auth ${JSON.stringify(auth)?.slice(0, 200)} got no answer in 10 s`));
        }, 10_000);
        socket.once('connect', () => {
          clearTimeout(timer);
          resolve({ socket });
        });
        socket.once('connect_error', (err) => {
          clearTimeout(timer);
          socket.close();
          resolve({ error: err.message });
        });
        // A CONNECT packet Socket.IO cannot read (auth not an object) makes the server close the connection.
        socket.io.once('close', (reason) => {
          clearTimeout(timer);
          resolve({ error: `closed: ${reason}` });
        });
      });

    it('refuses every forged handshake with "unauthorized" and never crashes', async () => {
      const token = authorization(world.secret, world.user).map((header) => header?.replace(/^Bearer /, ''));
      const auth = fc.oneof({ weight: 4, arbitrary: token.map((t) => ({ token: t })) }, { weight: 1, arbitrary: fc.record({ token: jsonValue() }) }, { weight: 1, arbitrary: jsonValue() });
      await fc.assert(
        fc.asyncProperty(auth, async (a) => {
          sent++;
          const { socket, error } = await open(a);
          socket?.close();
          // A forged token may happen to be a valid one (right secret, this user, a future expiry): then it connects.
          if (error !== undefined) expect(error).toMatch(/^(unauthorized|closed: .+)$/);
        }),
        { seed: SEED, numRuns: Math.round(SOCKET_RUNS / 2), endOnFailure: true, verbose: 1 },
      );
    });

    it('answers every generated event with a well-formed ack and keeps the socket serving', async () => {
      const { socket } = await open({ token: user.token });
      expect(socket?.connected).toBe(true);
      const live = socket!;
      const payloads = fc.array(jsonValue(), { minLength: 0, maxLength: 3 });
      const event = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...CLIENT_EVENTS) }, { weight: 1, arbitrary: fc.oneof(oddString(), fc.constantFrom('timeline:post', 'marker:update', 'join', 'connect', 'disconnecting')) });
      // Within the gateway's maxHttpBufferSize (16 KiB): a bigger message closes its socket, tested below.
      const message = fc.tuple(event, payloads).filter(([name, args]) => Buffer.byteLength(JSON.stringify([name, ...args])) < 12 * 1024);
      await fc.assert(
        fc.asyncProperty(message, async ([name, args]) => {
          sent++;
          expect(live.connected).toBe(true);
          if (!CLIENT_EVENTS.includes(name as never)) {
            // Unknown and reserved events: no answer is due; the socket must keep serving.
            try {
              live.emit(name, ...args);
            } catch {
              return; // reserved names are refused by the client itself
            }
          } else {
            const ack = (await live.timeout(10_000).emitWithAck(name, ...args)) as Record<string, unknown>;
            if ('error' in ack) {
              expect(typeof ack.error).toBe('string');
              expect(Object.keys(ack).every((k) => k === 'error' || k === 'retryAfter')).toBe(true);
              expect(ack.error).not.toMatch(/\bat \S+ \(|\.ts:\d|SELECT|TypeError|ioredis|ECONN/);
            } else {
              expect(Array.isArray(ack.items)).toBe(true);
              expect(typeof ack.hasMore).toBe('boolean');
            }
          }
          // The next case checks the socket is still connected; this one must still be answered.
          await live.timeout(10_000).emitWithAck(LiveEvent.Sync, { since: '1' });
        }),
        { seed: SEED, numRuns: SOCKET_RUNS, endOnFailure: true, verbose: 1 },
      );
      // The HTTP fuzz may have emptied the user's home (deleted their posts, unfollowed): a post of now.
      const fresh = await api.createPost(user, 'after the socket fuzz');
      const ack = (await live.timeout(10_000).emitWithAck(LiveEvent.Sync, { since: '1' })) as { items: { id: string }[] };
      expect(ack.items.map((p) => p.id)).toContain(fresh.id);
    });

    it('closes only the socket that sends a message over 16 KiB; the others keep serving', async () => {
      const [big, bystander] = [(await open({ token: user.token })).socket!, (await open({ token: user.token })).socket!];
      const closed = new Promise((resolve) => big.once('disconnect', resolve));
      big.emit(LiveEvent.Sync, { since: '1', padding: 'x'.repeat(20 * 1024) });
      await closed;
      sent++;
      const fresh = await api.createPost(user, 'after the big message');
      const ack = (await bystander.timeout(10_000).emitWithAck(LiveEvent.Sync, { since: '1' })) as { items: { id: string }[] };
      expect(ack.items.map((p) => p.id)).toContain(fresh.id);
    });
  });

  it('is healthy after the run: /health is 200, and a post is written and read back', async () => {
    expect((await api.get('/health')).status).toBe(200);
    const fresh = await api.register('fuzz_after', 'password123');
    const post = await api.createPost(fresh, 'still standing');
    const read = await api.get(`/posts/${post.id}`, fresh);
    expect([read.status, read.body.text]).toEqual([200, 'still standing']);
    const mine = await api.get(`/users/${fresh.username}/posts`, fresh);
    expect(mine.body.items.map((p: { id: string }) => p.id)).toEqual([post.id]);
    // eslint-disable-next-line no-console
    console.log(`fuzz: ${sent} generated requests and socket messages sent (FUZZ_SEED=${SEED})`);
  });
});
