import { expectBadField, expectError } from './expect-error';
import { expectIso } from './shapes';
import { ApiClient, eventually, TestUser } from './support/api-client';
import { LiveClient } from './support/live-client';
import { freePort, waitForLog } from './support/processes';
import { TestEnv } from './support/test-env';

jest.setTimeout(120_000);

/** Waits a moment and checks nothing arrived: used only after a positive event proved delivery works. */
const quietFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const markerEvents = (client: LiveClient) => client.events.filter((e) => e.name === 'marker:update').map((e) => e.args[0]);

describe('read marker: GET/PUT /timelines/home/marker and marker:update, across API processes', () => {
  let env: TestEnv;
  let api1: ApiClient;
  let api2: ApiClient;
  let api2Url: string;
  let url1: string;
  const clients: LiveClient[] = [];

  const connect = async (url: string, user: TestUser) => {
    const client = await LiveClient.connect(url, user.token);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    env = await TestEnv.create();
    ({ url: url1 } = await env.startApp());
    api1 = new ApiClient(url1);
    const port = await freePort();
    const second = env.spawn({ ROLE: 'api', PORT: String(port), LOG_LEVEL: 'log' });
    await waitForLog(second, '"listening"');
    api2Url = `http://127.0.0.1:${port}`;
    api2 = new ApiClient(api2Url);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await env.close();
  });

  it('is null until set, then the same on every API node', async () => {
    const user = await api1.register();
    expect((await api1.get('/timelines/home/marker', user)).body).toEqual({ lastReadId: null, updatedAt: null });
    const post = await api1.createPost(user, 'read up to here');
    const put = await api1.put('/timelines/home/marker', user).send({ lastReadId: post.id });
    expect(put.status).toBe(200);
    expect(Object.keys(put.body).sort()).toEqual(['lastReadId', 'updatedAt']);
    expect(put.body.lastReadId).toBe(post.id);
    expectIso(put.body.updatedAt, 60_000);
    expect((await api1.get('/timelines/home/marker', user)).body).toEqual(put.body);
    expect((await api2.get('/timelines/home/marker', user)).body).toEqual(put.body);
  });

  it('takes the last write, whichever device sends it', async () => {
    const user = await api1.register();
    const [older, newer] = [await api1.createPost(user, 'one'), await api1.createPost(user, 'two')];
    await api1.put('/timelines/home/marker', user).send({ lastReadId: newer.id });
    const back = await api2.put('/timelines/home/marker', user).send({ lastReadId: older.id });
    expect(back.body.lastReadId).toBe(older.id);
    expect((await api1.get('/timelines/home/marker', user)).body).toEqual(back.body);
  });

  it('pushes marker:update to the user’s other sockets on both nodes, not to the one that moved it, nor to anyone else', async () => {
    const user = await api1.register();
    const stranger = await api1.register();
    const mover = await connect(url1, user);
    const [phone, tablet] = [await connect(api2Url, user), await connect(api2Url, user)];
    const strangerLive = await connect(api2Url, stranger);
    const post = await api1.createPost(user, 'marker target');

    const put = await api1.put('/timelines/home/marker', user).set('X-Socket-Id', mover.socket.id!).send({ lastReadId: post.id });
    expect(put.status).toBe(200);
    await eventually(async () => expect(markerEvents(phone)).toEqual([put.body]));
    await eventually(async () => expect(markerEvents(tablet)).toEqual([put.body]));
    await quietFor(300);
    expect(markerEvents(mover)).toEqual([]);
    expect(strangerLive.events).toEqual([]);

    // Without X-Socket-Id (a REST client with no socket of its own), every socket of the user hears it.
    const again = await api2.put('/timelines/home/marker', user).send({ lastReadId: post.id });
    for (const socket of [mover, phone, tablet]) {
      await eventually(async () => expect(markerEvents(socket).at(-1)).toEqual(again.body));
    }
    expect(markerEvents(phone)).toHaveLength(2);
    expect(markerEvents(mover)).toHaveLength(1);
    await quietFor(200);
    expect(strangerLive.events).toEqual([]);
  });

  it('still works when it points at a deleted post: read back, set again, and used as since', async () => {
    const user = await api1.register();
    const marked = await api1.createPost(user, 'marked then deleted');
    const after = await api1.createPost(user, 'written after the marker');
    await api1.put('/timelines/home/marker', user).send({ lastReadId: marked.id });
    expect((await api1.delete(`/posts/${marked.id}`, user)).status).toBe(204);
    expect((await api2.get('/timelines/home/marker', user)).body.lastReadId).toBe(marked.id);
    expect((await api1.put('/timelines/home/marker', user).send({ lastReadId: marked.id })).status).toBe(200);
    const since = await api1.get(`/timelines/home?since=${marked.id}`, user);
    expect(since.body).toEqual({ items: [after], nextCursor: null });
  });

  it('refuses anything but a post id with a 400 and keeps the marker as it was', async () => {
    const user = await api1.register();
    const post = await api1.createPost(user, 'kept');
    await api1.put('/timelines/home/marker', user).send({ lastReadId: post.id });
    const before = (await api1.get('/timelines/home/marker', user)).body;
    for (const lastReadId of ['abc', '0', '-1', '1.5', '1e5', ' 12', '0123', '9223372036854775808', '1'.repeat(30), '١٢٣', 12, null, true, ['1'], { id: '1' }]) {
      expectBadField(await api1.put('/timelines/home/marker', user).send({ lastReadId }), 'lastReadId');
    }
    expectBadField(await api1.put('/timelines/home/marker', user).send({}), 'lastReadId');
    expectError(await api1.put('/timelines/home/marker', user), 400);
    expectError(await api1.put('/timelines/home/marker', user).send({ lastReadId: post.id, position: 3 }), 400, 'position');
    expectError(await api1.put('/timelines/home/marker', user).send([post.id]), 400);
    for (const socketId of ['has space', 'x'.repeat(65), 'é']) {
      expectError(await api1.put('/timelines/home/marker', user).set('X-Socket-Id', socketId).send({ lastReadId: post.id }), 400, 'X-Socket-Id');
    }
    expectError(await api1.put('/timelines/home/marker').send({ lastReadId: post.id }), 401);
    expect((await api1.get('/timelines/home/marker', user)).body).toEqual(before);
  });
});
