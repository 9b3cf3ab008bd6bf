import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { expectError } from './expect-error';
import { expectUser } from './shapes';
import { ApiClient, TestUser } from './support/api-client';
import { TestEnv } from './support/test-env';

describe('auth: register, login, bearer tokens', () => {
  let env: TestEnv;
  let api: ApiClient;
  let url: string;
  let secret: string;

  beforeAll(async () => {
    env = await TestEnv.create();
    ({ url } = await env.startApp());
    api = new ApiClient(url);
    secret = env.config().jwtSecret;
  });

  afterAll(() => env.close());

  const register = (body: unknown) => request(url).post('/auth/register').send(body as object);
  const login = (body: unknown) => request(url).post('/auth/login').send(body as object);
  const me = (authorization?: string) => {
    const req = request(url).get('/users/me');
    return authorization === undefined ? req : req.set('Authorization', authorization);
  };

  describe('POST /auth/register', () => {
    it('answers 201 with the new user and a working access token', async () => {
      const res = await register({ username: 'Ada_Lovelace', password: 'password123' });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(['accessToken', 'user']);
      expectUser(res.body.user, {
        username: 'Ada_Lovelace',
        displayName: 'Ada_Lovelace',
        followersCount: 0,
        followingCount: 0,
        postsCount: 0,
      });
      expect(Math.abs(Date.parse(res.body.user.createdAt) - Date.now())).toBeLessThan(60_000);
      expect(res.body.accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

      const mine = await me(`Bearer ${res.body.accessToken}`);
      expect(mine.status).toBe(200);
      expect(mine.body).toEqual(res.body.user);
    });

    it('stores the display name trimmed, counted in code points (50 max)', async () => {
      const named = await register({ username: 'grace_h', password: 'password123', displayName: '  Grace Hopper  ' });
      expect(named.status).toBe(201);
      expect(named.body.user.displayName).toBe('Grace Hopper');

      const fifty = '🐱'.repeat(50);
      const emoji = await register({ username: 'cat_person', password: 'password123', displayName: fifty });
      expect(emoji.status).toBe(201);
      expect(emoji.body.user.displayName).toBe(fifty);

      const tooLong = await register({ username: 'cat_person2', password: 'password123', displayName: '🐱'.repeat(51) });
      expectError(tooLong, 400, 'displayName');
    });

    it('falls back to the username when the display name is blank', async () => {
      const res = await register({ username: 'blank_name', password: 'password123', displayName: '   ' });
      expect(res.status).toBe(201);
      expect(res.body.user.displayName).toBe('blank_name');
    });

    it('answers 409 for a username taken in another letter case, and keeps the first', async () => {
      const first = await register({ username: 'Taken_Name', password: 'password123' });
      expect(first.status).toBe(201);
      for (const username of ['Taken_Name', 'taken_name', 'TAKEN_NAME', 'tAKEN_nAME']) {
        expectError(await register({ username, password: 'other-password' }), 409);
      }
      // The first owner still logs in with their own password; the attempts changed nothing.
      const ok = await login({ username: 'Taken_Name', password: 'password123' });
      expect(ok.status).toBe(200);
      expect(ok.body.user.id).toBe(first.body.user.id);
      expectError(await login({ username: 'Taken_Name', password: 'other-password' }), 401);
    });

    it('accepts usernames of 3 and 30 characters and passwords of 8 and 128, and nothing outside', async () => {
      expect((await register({ username: 'abc', password: 'p'.repeat(8) })).status).toBe(201);
      expect((await register({ username: 'a'.repeat(30), password: 'p'.repeat(128) })).status).toBe(201);
      expectError(await register({ username: 'ab', password: 'password123' }), 400, 'username');
      expectError(await register({ username: 'b'.repeat(31), password: 'password123' }), 400, 'username');
      expectError(await register({ username: 'with space', password: 'password123' }), 400, 'username');
      expectError(await register({ username: 'dash-name', password: 'password123' }), 400, 'username');
      expectError(await register({ username: 'émile', password: 'password123' }), 400, 'username');
      expectError(await register({ username: 'short_pw', password: 'p'.repeat(7) }), 400, 'password');
      expectError(await register({ username: 'long_pw', password: 'p'.repeat(129) }), 400, 'password');
    });
  });

  describe('POST /auth/login', () => {
    let user: TestUser;
    let userId: string;

    beforeAll(async () => {
      const res = await register({ username: 'Login_User', password: 'correct horse' });
      userId = res.body.user.id;
      user = { id: userId, username: 'Login_User', token: res.body.accessToken };
    });

    it('answers 200 with the user and a fresh working token', async () => {
      const res = await login({ username: 'Login_User', password: 'correct horse' });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['accessToken', 'user']);
      expectUser(res.body.user, { id: userId, username: 'Login_User', displayName: 'Login_User' });
      const mine = await me(`Bearer ${res.body.accessToken}`);
      expect(mine.status).toBe(200);
      expect(mine.body.id).toBe(userId);
    });

    it('finds the user in any letter case of the username', async () => {
      const res = await login({ username: 'login_user', password: 'correct horse' });
      expect(res.status).toBe(200);
      expect(res.body.user).toMatchObject({ id: userId, username: 'Login_User' });
    });

    it('answers 401 with the very same body for an unknown user and a wrong password', async () => {
      const wrongPassword = await login({ username: 'Login_User', password: 'wrong horse' });
      const unknownUser = await login({ username: 'nobody_here', password: 'correct horse' });
      const caseOfPassword = await login({ username: 'Login_User', password: 'Correct horse' });
      expectError(wrongPassword, 401);
      expectError(unknownUser, 401);
      expectError(caseOfPassword, 401);
      expect(unknownUser.body).toEqual(wrongPassword.body);
      expect(caseOfPassword.body).toEqual(wrongPassword.body);
      expect(wrongPassword.body.message).not.toMatch(/Login_User|nobody_here/);
      expect(wrongPassword.headers['set-cookie']).toBeUndefined();
    });

    it('gives a token that keeps working alongside older ones', async () => {
      expect((await me(`Bearer ${user.token}`)).status).toBe(200);
    });
  });

  describe('every protected endpoint refuses a request without a valid token', () => {
    let user: TestUser;
    let postId: string;
    let valid: string;
    const jwtFor = (sign: JwtService, payload: object, options: object = {}) => sign.sign(payload, options);

    beforeAll(async () => {
      user = await api.register('guard_owner');
      postId = (await api.createPost(user, 'guarded')).id;
      valid = user.token;
    });

    const endpoints = (): [string, string][] => [
      ['GET', '/users/me'],
      ['GET', `/users/${user.username}`],
      ['POST', `/users/${user.username}/follow`],
      ['DELETE', `/users/${user.username}/follow`],
      ['GET', `/users/${user.username}/followers`],
      ['GET', `/users/${user.username}/following`],
      ['GET', `/users/${user.username}/posts`],
      ['POST', '/posts'],
      ['GET', `/posts/${postId}`],
      ['DELETE', `/posts/${postId}`],
      ['GET', `/posts/${postId}/fanout`],
      ['GET', '/timelines/home'],
    ];

    const send = (method: string, path: string, authorization?: string) => {
      let req = request(url)[method.toLowerCase() as 'get' | 'post' | 'delete'](path);
      if (authorization !== undefined) req = req.set('Authorization', authorization);
      return method === 'POST' && path === '/posts' ? req.send({ text: 'should never be stored' }) : req;
    };

    const badHeaders = (): [string, string | undefined][] => {
      const right = new JwtService({ secret });
      const wrong = new JwtService({ secret: 'not-the-server-secret' });
      const payload = { sub: user.id, username: user.username };
      const [header, body] = valid.split('.');
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${body}.`;
      const tampered = `${header}.${Buffer.from(JSON.stringify({ ...payload, sub: '1' })).toString('base64url')}.${valid.split('.')[2]}`;
      return [
        ['no Authorization header', undefined],
        ['an empty header', ''],
        ['"Bearer" alone', 'Bearer'],
        ['"Bearer " and nothing', 'Bearer '],
        ['another scheme', `Basic ${Buffer.from('guard_owner:password123').toString('base64')}`],
        ['the token without a scheme', valid],
        ['a token with trailing junk', `Bearer ${valid} extra`],
        ['not a JWT', 'Bearer not-a-jwt'],
        ['a token signed with a wrong secret', `Bearer ${jwtFor(wrong, payload, { expiresIn: 600 })}`],
        ['an expired token', `Bearer ${jwtFor(right, { ...payload, exp: Math.floor(Date.now() / 1000) - 60 })}`],
        ['an unsigned (alg none) token', `Bearer ${unsigned}`],
        ['a token signed with the right secret but HS512', `Bearer ${jwtFor(right, { ...payload, exp: Math.floor(Date.now() / 1000) + 600 }, { algorithm: 'HS512' })}`],
        ['a token signed with the right secret and HS256 but no expiry', `Bearer ${jwtFor(right, payload)}`],
        ['a token whose payload was altered', `Bearer ${tampered}`],
        ['a correctly signed token without a user id', `Bearer ${jwtFor(right, { username: user.username }, { expiresIn: 600 })}`],
        ['a correctly signed token with a non-id subject', `Bearer ${jwtFor(right, { sub: 'admin', username: 'x' }, { expiresIn: 600 })}`],
        ['an overlong token', `Bearer ${'a'.repeat(5000)}`],
      ];
    };

    it('answers 401 in the error shape for each kind of bad credential on each endpoint', async () => {
      const failures: string[] = [];
      for (const [what, authorization] of badHeaders()) {
        for (const [method, path] of endpoints()) {
          const res = await send(method, path, authorization);
          if (res.status !== 401) failures.push(`${what}: ${method} ${path} -> ${res.status}`);
          else expectError(res, 401);
        }
      }
      expect(failures).toEqual([]);
      // Nothing was done on the way: no post created, none deleted, no follow.
      const mine = await api.get('/users/me', user);
      expect(mine.body).toMatchObject({ postsCount: 1, followersCount: 0, followingCount: 0 });
      expect((await api.get(`/posts/${postId}`, user)).status).toBe(200);
    });

    it('accepts the same requests with the valid token (the 401s were about the token)', async () => {
      expect((await send('GET', '/users/me', `Bearer ${valid}`)).status).toBe(200);
      expect((await send('GET', '/timelines/home', `Bearer ${valid}`)).status).toBe(200);
      expect((await send('GET', `/posts/${postId}`, `Bearer ${valid}`)).status).toBe(200);
      // A token signed with the server's secret by someone else's hand is as good as an issued one.
      const minted = new JwtService({ secret }).sign({ sub: user.id, username: user.username }, { expiresIn: 600 });
      expect((await send('GET', '/users/me', `Bearer ${minted}`)).body.id).toBe(user.id);
    });

    it('answers a signed token whose user does not exist (a reset database) with 401, never a 500', async () => {
      const ghost = new JwtService({ secret }).sign({ sub: '987654321', username: 'ghost_user' }, { expiresIn: 600 });
      const auth = `Bearer ${ghost}`;
      const invalid = await send('GET', '/users/me', 'Bearer not-a-jwt');
      for (const res of [
        await send('GET', '/users/me', auth),
        await send('POST', '/posts', auth),
        await request(url).post('/posts').set('Authorization', auth).set('Idempotency-Key', 'ghost-key').send({ text: 'boo' }),
        await send('POST', `/users/${user.username}/follow`, auth),
      ]) {
        expectError(res, 401);
        expect(res.body).toEqual(invalid.body);
      }
      expect((await api.get('/users/me', user)).body).toMatchObject({ postsCount: 1, followersCount: 0 });
    });

    it('tells a missing token from an invalid one', async () => {
      const missing = expectError(await send('GET', '/users/me'), 401);
      const invalid = expectError(await send('GET', '/users/me', 'Bearer not-a-jwt'), 401);
      expect(missing).toMatch(/token/i);
      expect(invalid).toMatch(/token/i);
      expect(missing).not.toBe(invalid);
    });
  });
});
