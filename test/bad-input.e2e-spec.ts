import request from 'supertest';
import { expectBadField, expectError } from './expect-error';
import { ApiClient, TestUser } from './support/api-client';
import { TestEnv } from './support/test-env';

/**
 * Malformed requests of every kind, on every endpoint that takes a body, a path parameter or a
 * query: each is a 4xx in the contract's error shape, with nothing internal in it, and changes nothing.
 */
describe('bad input', () => {
  let env: TestEnv;
  let api: ApiClient;
  let url: string;
  let user: TestUser;
  let other: TestUser;
  let postId: string;
  const statuses: number[] = [];

  beforeAll(async () => {
    env = await TestEnv.create();
    ({ url } = await env.startApp());
    api = new ApiClient(url);
    user = await api.register('bad_input_user', 'password123');
    other = await api.register('bad_input_other');
    postId = (await api.createPost(user, 'the only post')).id;
  });

  afterAll(async () => {
    try {
      // Nothing refused was stored: still one post and no follows.
      const me = (await api.get('/users/me', user)).body;
      expect(me).toMatchObject({ postsCount: 1, followersCount: 0, followingCount: 0 });
      const posts = (await api.get(`/users/${user.username}/posts`, user)).body.items;
      expect(posts.map((p: { id: string }) => p.id)).toEqual([postId]);
      expect((await api.get('/timelines/home/marker', user)).body).toEqual({ lastReadId: null, updatedAt: null });
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
    } finally {
      await env.close();
    }
  });

  /** Remembers every status, so a 500 anywhere fails the file even where a test forgot to look. */
  const track = async (req: request.Test): Promise<request.Response> => {
    const res = await req;
    statuses.push(res.status);
    return res;
  };

  const bodyEndpoints = () =>
    [
      {
        name: 'POST /auth/register',
        start: () => request(url).post('/auth/register'),
        valid: { username: 'fresh_name', password: 'password123' },
      },
      {
        name: 'POST /auth/login',
        start: () => request(url).post('/auth/login'),
        valid: { username: user.username, password: 'password123' },
      },
      {
        name: 'POST /posts',
        start: () => request(url).post('/posts').set('Authorization', `Bearer ${user.token}`),
        valid: { text: 'never stored' },
      },
      {
        name: 'PUT /timelines/home/marker',
        start: () => request(url).put('/timelines/home/marker').set('Authorization', `Bearer ${user.token}`),
        valid: { lastReadId: postId },
      },
    ] as const;

  describe.each(['POST /auth/register', 'POST /auth/login', 'POST /posts', 'PUT /timelines/home/marker'])('%s body', (name) => {
    const endpoint = () => bodyEndpoints().find((e) => e.name === name)!;
    const raw = (body: string, type = 'application/json') =>
      track(endpoint().start().set('Content-Type', type).send(body));

    it('refuses malformed JSON with 400', async () => {
      for (const body of ['{', '{"text": }', "{'text': 'x'}", '{"text":"a",}', '{"text":"a"} trailing', 'undefined', '{"a":1}{"b":2}', '\u0000']) {
        expectError(await raw(body), 400);
      }
    });

    it('refuses a JSON value that is not an object with 400', async () => {
      const valid = JSON.stringify(endpoint().valid);
      for (const body of ['[]', `[${valid}]`, '"a string"', '42', 'true', 'null']) {
        expectError(await raw(body), 400);
      }
    });

    it('refuses an empty body and a missing body with 400', async () => {
      expectError(await raw(''), 400);
      expectError(await track(endpoint().start()), 400);
      expectError(await raw('{}'), 400);
    });

    it('refuses unknown fields with 400, naming them', async () => {
      const res = await track(endpoint().start().send({ ...endpoint().valid, isAdmin: true }));
      expectError(res, 400, 'isAdmin');
      const res2 = await track(endpoint().start().send({ ...endpoint().valid, author: { id: other.id } }));
      expectError(res2, 400, 'author');
    });

    it('refuses prototype-polluting keys with 400', async () => {
      const valid = JSON.stringify(endpoint().valid).slice(1, -1);
      expectError(await raw(`{"__proto__": {"isAdmin": true}, ${valid}}`), 400);
      expectError(await raw(`{"constructor": {"prototype": {"isAdmin": true}}, ${valid}}`), 400);
    });

    it('refuses deeply nested JSON with 400', async () => {
      const depth = 2500;
      const field = Object.keys(endpoint().valid)[0];
      expectError(await raw(`{"${field}": ${'['.repeat(depth)}${']'.repeat(depth)}}`), 400, /nested too deeply/);
      expectError(await raw(`{"${field}": ${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`), 400, /nested too deeply/);
      // Brackets inside strings are text, not nesting.
      const brackets = await raw(JSON.stringify({ ...endpoint().valid, [field]: '[{'.repeat(100), extra: 1 }));
      expect(expectError(brackets, 400)).not.toMatch(/nested/);
    });

    it('refuses a body over the limit (16 KiB) with 413', async () => {
      const big = { ...endpoint().valid, [Object.keys(endpoint().valid)[0]]: 'x'.repeat(17 * 1024) };
      expectError(await track(endpoint().start().send(big)), 413);
      expectError(await raw(JSON.stringify({ ...endpoint().valid, padding: ' '.repeat(64 * 1024) })), 413);
    });

    it('refuses content types other than JSON with 415, even when the text is JSON', async () => {
      const valid = endpoint().valid as Record<string, string>;
      expectError(await raw(JSON.stringify(valid), 'text/plain'), 415, 'application/json');
      expectError(await raw(new URLSearchParams(valid).toString(), 'application/x-www-form-urlencoded'), 415);
      expectError(await raw('<text>x</text>', 'application/xml'), 415);
      expectError(await raw('--b\r\nContent-Disposition: form-data; name="text"\r\n\r\nx\r\n--b--', 'multipart/form-data; boundary=b'), 415);
      expectError(await raw(JSON.stringify(valid), 'application/octet-stream'), 415);
    });
  });

  it('reads JSON whatever the letter case and parameters of its content type', async () => {
    for (const type of ['application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-8']) {
      const res = await track(request(url).post('/auth/login').set('Content-Type', type).send(JSON.stringify({ username: user.username, password: 'password123' })));
      expect([type, res.status]).toEqual([type, 200]);
    }
  });

  describe('POST /auth/register fields', () => {
    const register = (body: object) => track(request(url).post('/auth/register').send(body));

    it('refuses wrong types with 400 naming the field as not a string', async () => {
      for (const username of [[], ['abc_def'], 123, null, {}, true]) {
        expectError(await register({ username, password: 'password123' }), 400, 'username must be a string');
      }
      for (const password of [null, 12345678, ['password123'], {}, false]) {
        expectError(await register({ username: 'typed_pw', password }), 400, 'password must be a string');
      }
      for (const displayName of [5, [], ['name'], {}, true]) {
        expectError(await register({ username: 'typed_dn', password: 'password123', displayName }), 400, 'displayName must be a string');
      }
    });

    it('refuses missing fields with 400 naming each', async () => {
      expectBadField(await register({ password: 'password123' }), 'username');
      expectBadField(await register({ username: 'no_password' }), 'password');
      const both = expectError(await register({}), 400);
      expect(both).toMatch(/username/);
      expect(both).toMatch(/password/);
    });

    it('refuses control characters that cannot be stored, with 400', async () => {
      expectBadField(await register({ username: 'nul\u0000name', password: 'password123' }), 'username');
      expectBadField(await register({ username: 'nul_display', password: 'password123', displayName: 'a\u0000b' }), 'displayName');
      expectError(await track(request(url).get('/users/nul_display').set('Authorization', `Bearer ${user.token}`)), 404);
    });
  });

  describe('POST /auth/login fields', () => {
    const login = (body: object) => track(request(url).post('/auth/login').send(body));

    it('refuses wrong types with 400 naming the field', async () => {
      for (const username of [[], 123, null, {}]) {
        expectError(await login({ username, password: 'password123' }), 400, 'username must be a string');
      }
      for (const password of [null, 12345678, ['password123'], {}]) {
        expectError(await login({ username: user.username, password }), 400, 'password must be a string');
      }
      expectBadField(await login({ password: 'password123' }), 'username');
      expectBadField(await login({ username: user.username }), 'password');
    });

    it('answers 401 like an unknown user for a username no user can have', async () => {
      const unknown = await login({ username: 'no_such_user', password: 'password123' });
      expectError(unknown, 401);
      for (const username of ['bad\u0000input_user', 'x'.repeat(64), 'has space', '', '😀😀😀']) {
        const res = await login({ username, password: 'password123' });
        expectError(res, 401);
        expect(res.body).toEqual(unknown.body);
      }
    });
  });

  describe('POST /posts fields and headers', () => {
    const post = (body: object, key?: string) => {
      let req = request(url).post('/posts').set('Authorization', `Bearer ${user.token}`);
      if (key !== undefined) req = req.set('Idempotency-Key', key);
      return track(req.send(body));
    };

    it('refuses a text that is not a string with 400 naming it', async () => {
      for (const text of [123, null, [], ['hello'], {}, true, 1.5]) {
        expectError(await post({ text }), 400, 'text must be a string');
      }
      expectBadField(await post({}), 'text');
      expectBadField(await post({ body: 'wrong field name' }), 'body');
    });

    it('refuses a text with a NUL character with 400', async () => {
      expectBadField(await post({ text: 'a\u0000b' }), 'text');
      expectBadField(await post({ text: '\u0000' }), 'text');
    });

    it('refuses a lone surrogate with 400 rather than storing U+FFFD', async () => {
      for (const text of ['\ud800', '\udfff', 'a\ud83db', 'ends with \ud83d']) {
        const res = await post({ text });
        expectError(res, 400, 'lone surrogate');
      }
      // In any field, and in a key, of any JSON body.
      const raw = (path: string, body: string) => track(request(url).post(path).set('Content-Type', 'application/json').send(body));
      expectError(await raw('/auth/register', '{"username":"surrogate_dn","password":"password123","displayName":"x\\udc00"}'), 400, 'lone surrogate');
      expectError(await raw('/auth/login', '{"username":"a","password":"password123","\\ud800":1}'), 400, 'lone surrogate');
    });

    it('refuses a text that shows nothing (invisible characters only) with 400, like blank text', async () => {
      const blank = expectBadField(await post({ text: '   ' }), 'text');
      for (const text of ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u2800', '\u3164', ' \u200b\u200b \n\u2060', '\u200e\u200f\u202e']) {
        const res = await post({ text });
        expect([JSON.stringify(text), expectBadField(res, 'text')]).toEqual([JSON.stringify(text), blank]);
      }
    });

    it('refuses an Idempotency-Key over 255 characters or not printable ASCII with 400', async () => {
      for (const key of ['k'.repeat(256), 'k'.repeat(4000), 'has space', 'tab\there', 'caf\u00e9', '']) {
        expectError(await post({ text: 'keyed' }, key), 400, 'Idempotency-Key');
      }
    });

    it('accepts an Idempotency-Key of exactly 255 printable characters (and then deletes the post)', async () => {
      const key = `${'k'.repeat(200)}!#$%&'*+-.^_\`|~:/?@[]{}()<>,;="\\`.padEnd(255, 'z');
      expect(key).toHaveLength(255);
      const res = await post({ text: 'keyed at the limit' }, key);
      expect(res.status).toBe(201);
      const again = await post({ text: 'keyed at the limit' }, key);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.id).toBe(res.body.id);
      expect((await api.delete(`/posts/${res.body.id}`, user)).status).toBe(204);
    });
  });

  describe('malformed post ids in the path', () => {
    const ids = ['abc', '-1', '1.5', '0', '01', '1e3', '0x10', '%201', '1%20', '%00', '99999999999999999999', '9223372036854775808', '１２３'];

    it('answers 400 naming the id on GET, DELETE and GET fanout', async () => {
      for (const id of ids) {
        for (const [method, path] of [
          ['get', `/posts/${id}`],
          ['delete', `/posts/${id}`],
          ['get', `/posts/${id}/fanout`],
        ] as const) {
          const res = await track(request(url)[method](path).set('Authorization', `Bearer ${user.token}`));
          if (res.status !== 400) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
          expectError(res, 400, /\bid\b/);
        }
      }
    });

    it('answers 404 for the largest well-formed id', async () => {
      expectError(await track(api.get('/posts/9223372036854775807', user)), 404);
      expectError(await track(api.delete('/posts/9223372036854775807', user)), 404);
    });
  });

  describe('odd usernames in the path', () => {
    const names = ['%00', 'a%00b', 'x'.repeat(100), '%F0%9F%98%80', '%27%3B%20DROP%20TABLE%20users%3B--', '..%2F..%2Fetc', '%E2%80%AEabc', 'a%25b', 'me%0A', 'ab', '%3Cscript%3Ealert(1)%3C%2Fscript%3E', '%3Cb%3Ebold_name%3C%2Fb%3E', 'a-b-c', 'caf%C3%A9'];
    const routes = (name: string) =>
      [
        ['get', `/users/${name}`],
        ['post', `/users/${name}/follow`],
        ['delete', `/users/${name}/follow`],
        ['get', `/users/${name}/followers`],
        ['get', `/users/${name}/following`],
        ['get', `/users/${name}/posts`],
        ['post', `/users/${name}/block`],
        ['delete', `/users/${name}/block`],
        ['post', `/users/${name}/mute`],
        ['delete', `/users/${name}/mute`],
      ] as const;

    it('answers 400 with the username rule, never echoing the name, on every endpoint with a username', async () => {
      for (const name of names) {
        for (const [method, path] of routes(name)) {
          const res = await track(request(url)[method](path).set('Authorization', `Bearer ${user.token}`));
          if (res.status !== 400) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
          expectError(res, 400, 'username must be 3 to 30 letters, digits or underscores');
          expect(res.text).not.toMatch(/<|\\u0000|script|DROP|etc/);
        }
      }
    });

    it('answers 404 for a well-formed username no one has', async () => {
      for (const [method, path] of routes('no_such_user_42')) {
        const res = await track(request(url)[method](path).set('Authorization', `Bearer ${user.token}`));
        if (res.status !== 404) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
        expectError(res, 404, 'no_such_user_42');
      }
    });

    it('answers 414 for a path segment too long to route, without echoing it', async () => {
      const long = 'x'.repeat(1000);
      for (const path of [`/users/${long}`, `/users/${long}/posts`, `/posts/${'9'.repeat(1000)}`]) {
        const res = await track(api.get(path, user));
        expectError(res, 414);
        expect(res.text).not.toContain('x'.repeat(101));
        expect(res.text).not.toContain('9'.repeat(101));
      }
    });

    it('answers 400 for a path that is not valid percent-encoding', async () => {
      expectError(await track(api.get('/users/%E0%A4%A', user)), 400);
      expectError(await track(api.get('/posts/%ZZ', user)), 400);
    });
  });

  describe('paging queries', () => {
    const pages = () => [
      `/users/${other.username}/followers`,
      `/users/${other.username}/following`,
      `/users/${user.username}/posts`,
      '/timelines/home',
    ];
    const cursor = (inside: string) => Buffer.from(inside, 'utf8').toString('base64url');

    const refuse = async (query: string, field: string) => {
      for (const path of pages()) {
        const res = await track(api.get(`${path}?${query}`, user));
        if (res.status !== 400) throw new Error(`${path}?${query}: ${res.status} ${res.text}`);
        expectBadField(res, field);
      }
    };

    it('refuses a limit out of 1..100 or not an integer with 400', async () => {
      for (const limit of ['0', '101', '-1', '1000000', '99999999999999999999']) await refuse(`limit=${limit}`, 'limit');
      for (const limit of ['abc', '1.5', '', 'NaN', 'Infinity', '1,2']) {
        await refuse(`limit=${limit}`, 'limit');
      }
      await refuse('limit=1&limit=2', 'limit');
    });

    it('says what is wrong with a limit that is not a number', async () => {
      for (const limit of ['abc', '1.5', 'NaN']) {
        expectError(await track(api.get(`/timelines/home?limit=${limit}`, user)), 400, 'limit must be an integer');
      }
      expectError(await track(api.get('/timelines/home?limit=0', user)), 400, 'limit must not be less than 1');
      expectError(await track(api.get('/timelines/home?limit=101', user)), 400, 'limit must not be greater than 100');
    });

    it('refuses a malformed cursor with 400', async () => {
      const bad = ['abc', '!!!', '%00', 'a'.repeat(65), cursor('c1:abc'), cursor('c1:0'), cursor('c1:-5'), cursor('c2:123'), cursor('123'), cursor('c1:99999999999999999999'), cursor('c1:1 ')];
      for (const c of bad) await refuse(`cursor=${encodeURIComponent(c)}`, 'cursor');
      await refuse('cursor=', 'cursor');
      await refuse(`cursor=${cursor('c1:5')}&cursor=${cursor('c1:6')}`, 'cursor');
    });

    it('refuses unknown query parameters with 400 naming them', async () => {
      await refuse('offset=20', 'offset');
      await refuse('limit=5&sort=asc', 'sort');
    });

    it('refuses a malformed since on the home timeline with 400', async () => {
      for (const since of ['abc', '0', '-1', '1.5', '99999999999999999999', '01', '']) {
        expectBadField(await track(api.get(`/timelines/home?since=${since}`, user)), 'since');
      }
      expectBadField(await track(api.get('/timelines/home?since=1&since=2', user)), 'since');
      // since is a home-timeline option only.
      expectBadField(await track(api.get(`/users/${user.username}/posts?since=1`, user)), 'since');
    });

    it('still answers well-formed paging queries', async () => {
      for (const path of pages()) {
        const res = await track(api.get(`${path}?limit=1`, user));
        expect(res.status).toBe(200);
      }
      const res = await track(api.get(`/timelines/home?limit=100&since=1`, user));
      expect(res.body.items.map((p: { id: string }) => p.id)).toEqual([postId]);
    });
  });

  describe('endpoints without a body', () => {
    it('answer normally when a JSON content type comes with an empty body', async () => {
      const follow = await track(api.post(`/users/${other.username}/follow`, user).set('Content-Type', 'application/json'));
      expect([follow.status, follow.body]).toEqual([200, { following: true, reposts: true }]);
      const unfollow = await track(api.delete(`/users/${other.username}/follow`, user).set('Content-Type', 'application/json'));
      expect([unfollow.status, unfollow.body]).toEqual([200, { following: false }]);
    });

    it('answer normally when any content type comes with an empty body (curl -d "")', async () => {
      const follow = await track(api.post(`/users/${other.username}/follow`, user).type('form').send(''));
      expect([follow.status, follow.body]).toEqual([200, { following: true, reposts: true }]);
      const unfollow = await track(api.delete(`/users/${other.username}/follow`, user).set('Content-Type', 'text/plain').send(''));
      expect([unfollow.status, unfollow.body]).toEqual([200, { following: false }]);
      // A body where none is expected is still refused by type.
      expectError(await track(api.post(`/users/${other.username}/follow`, user).type('form').send('a=1')), 415);
    });
  });
});
