import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { signToken } from '../bench/tokens';
import { expectError } from './expect-error';
import { ApiClient, TestUser } from './support/api-client';
import { LiveClient } from './support/live-client';
import { exited } from './support/processes';
import { TestEnv } from './support/test-env';

jest.setTimeout(60_000);

const LIFETIME_SEC = 5;

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A JWT signed by hand, so the test controls every part of it. */
function jwt(header: object, payload: object, secret: string, hash: string | null): string {
  const unsigned = `${b64(header)}.${b64(payload)}`;
  return `${unsigned}.${hash ? createHmac(hash, secret).update(unsigned).digest('base64url') : ''}`;
}
const decode = (token: string, part: 0 | 1) => JSON.parse(Buffer.from(token.split('.')[part], 'base64url').toString('utf8'));

describe('tokens: HS256 with an expiry; a socket does not outlive its token (API.md "limits and headers")', () => {
  let env: TestEnv;
  let url: string;
  let api: ApiClient;
  let secret: string;
  let user: TestUser;
  const clients: LiveClient[] = [];

  beforeAll(async () => {
    env = await TestEnv.create({ JWT_EXPIRES_IN: `${LIFETIME_SEC}s` });
    ({ url } = await env.startApp());
    api = new ApiClient(url);
    secret = env.config().jwtSecret;
    user = await api.register();
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await env.close();
  });

  it('issues HS256 tokens that expire JWT_EXPIRES_IN after they are issued', () => {
    expect(decode(user.token, 0)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const payload = decode(user.token, 1);
    expect(payload.exp - payload.iat).toBe(LIFETIME_SEC);
  });

  it('refuses, on REST and on the socket alike, alg none, HS512 and HS256 without exp, while the same claims in HS256 with exp pass', async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const claims = { sub: user.id, username: user.username };
    const forged: [string, string][] = [
      ['alg none', jwt({ alg: 'none', typ: 'JWT' }, { ...claims, exp }, secret, null)],
      ['HS512 with the right secret', jwt({ alg: 'HS512', typ: 'JWT' }, { ...claims, exp }, secret, 'sha512')],
      ['HS384 with the right secret', jwt({ alg: 'HS384', typ: 'JWT' }, { ...claims, exp }, secret, 'sha384')],
      ['HS256 without exp', jwt({ alg: 'HS256', typ: 'JWT' }, claims, secret, 'sha256')],
      ['HS256 with a non-numeric exp', jwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: 'never' }, secret, 'sha256')],
    ];
    for (const [what, token] of forged) {
      const res = await request(url).get('/users/me').set('Authorization', `Bearer ${token}`);
      expect([what, res.status]).toEqual([what, 401]);
      expectError(res, 401);
      await expect(LiveClient.connect(url, token)).rejects.toThrow('unauthorized');
    }
    const genuine = jwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp }, secret, 'sha256');
    expect((await request(url).get('/users/me').set('Authorization', `Bearer ${genuine}`)).status).toBe(200);
    clients.push(await LiveClient.connect(url, genuine));
  });

  it('disconnects a socket when its token expires, not before; the token then opens nothing', async () => {
    const token = signToken(secret, user, 3);
    const expiresAt = decode(token, 1).exp * 1000;
    const live = await LiveClient.connect(url, token);
    clients.push(live);
    const reason = await new Promise<string>((resolve) => live.socket.once('disconnect', resolve));
    expect(reason).toBe('io server disconnect');
    // Timers may fire a little early by the clock's rounding, never seconds early.
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt - 50);
    await expect(LiveClient.connect(url, token)).rejects.toThrow('unauthorized');
    expectError(await request(url).get('/users/me').set('Authorization', `Bearer ${token}`), 401);
  });

  it('keeps a socket whose token is still valid connected meanwhile', async () => {
    const long = signToken(secret, user, 3600);
    const short = signToken(secret, user, 2);
    const [stays, goes] = [await LiveClient.connect(url, long), await LiveClient.connect(url, short)];
    clients.push(stays, goes);
    await new Promise((resolve) => goes.socket.once('disconnect', resolve));
    expect(stays.socket.connected).toBe(true);
    expect(await stays.sync('1')).toEqual({ items: [], hasMore: false });
  });

  describe('start-up refuses a bad token configuration, naming the variable', () => {
    const start = async (overrides: Record<string, string>) => {
      const child = env.spawn({ ROLE: 'api', PORT: '0', ...overrides });
      let stderr = '';
      child.stderr!.on('data', (chunk) => (stderr += chunk));
      const code = await exited(child);
      return { code, stderr };
    };

    it.each([
      ['JWT_EXPIRES_IN', { JWT_EXPIRES_IN: 'forever' }],
      ['JWT_EXPIRES_IN', { JWT_EXPIRES_IN: '0s' }],
      ['JWT_SECRET', { NODE_ENV: 'production', JWT_SECRET: 'short-secret' }],
      ['JWT_SECRET', { NODE_ENV: 'production', JWT_SECRET: 'dev-only-compose-secret-change-me' }],
    ])('%s: %p', async (name, overrides) => {
      const { code, stderr } = await start(overrides);
      expect(code).toBe(2);
      expect(stderr).toContain(`Configuration error: ${name}`);
    });
  });
});

describe('docker-compose.yml', () => {
  const compose = load(readFileSync(join(__dirname, '..', 'docker-compose.yml'), 'utf8'), { schema: CORE_SCHEMA.withTags(mergeTag) }) as {
    services: Record<string, { environment?: Record<string, string>; ports?: string[] }>;
  };

  it('requires JWT_SECRET (no default anyone could read) for the API and the worker', () => {
    for (const service of ['api', 'worker']) {
      expect([service, compose.services[service].environment!.JWT_SECRET]).toEqual([service, expect.stringMatching(/^\$\{JWT_SECRET:\?.+\}$/)]);
    }
  });

  it('publishes the API, PostgreSQL and Redis on 127.0.0.1 unless told otherwise', () => {
    expect(compose.services.api.ports).toEqual(['${API_BIND:-127.0.0.1}:${API_PORT:-3000}:3000']);
    expect(compose.services.lb.ports).toEqual(['${API_BIND:-127.0.0.1}:${CLUSTER_PORT:-3080}:80']);
    for (const service of ['postgres', 'redis']) {
      for (const port of compose.services[service].ports!) expect(port).toMatch(/^127\.0\.0\.1:/);
    }
  });
});
