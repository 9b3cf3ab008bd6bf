import request from 'supertest';
import { expectError } from './expect-error';
import { ApiClient } from './support/api-client';
import { TestEnv } from './support/test-env';

describe('operations: /health, /docs, /metrics', () => {
  let env: TestEnv;
  let api: ApiClient;
  let url: string;

  beforeAll(async () => {
    env = await TestEnv.create();
    ({ url } = await env.startApp());
    api = new ApiClient(url);
  });

  afterAll(() => env.close());

  describe('GET /health', () => {
    it('answers 200 { status: "ok", ... } without a token, naming each dependency as up', async () => {
      const res = await request(url).get('/health');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({ status: 'ok', postgres: 'up', redis: 'up' });
    });

    it('stays public whatever Authorization header comes along', async () => {
      const res = await request(url).get('/health').set('Authorization', 'Bearer not-a-jwt');
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('ok');
    });
  });

  describe('GET /docs and /docs-json', () => {
    it('serves the Swagger UI page and its assets without a token', async () => {
      const page = await request(url).get('/docs');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toContain('swagger-ui');
      const assets = [...page.text.matchAll(/(?:href|src)="([^"]+\.(?:css|js))"/g)].map((m) => m[1]);
      expect(assets.length).toBeGreaterThan(0);
      for (const asset of assets) {
        const path = new URL(asset, `${url}/docs`).pathname;
        const res = await request(url).get(path);
        expect([path, res.status]).toEqual([path, 200]);
        expect(res.headers['content-type']).toMatch(/css|javascript/);
      }
    });

    it('lists every endpoint of the contract in the OpenAPI document, with bearer auth', async () => {
      const res = await request(url).get('/docs-json');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const doc = res.body as { openapi: string; paths: Record<string, Record<string, unknown>>; components: any };
      expect(doc.openapi).toMatch(/^3\./);
      const expected: Record<string, string[]> = {
        '/auth/register': ['post'],
        '/auth/login': ['post'],
        '/users/me': ['get'],
        '/users/{username}': ['get'],
        '/users/{username}/follow': ['delete', 'post'],
        '/users/{username}/followers': ['get'],
        '/users/{username}/following': ['get'],
        '/users/{username}/posts': ['get'],
        '/users/{username}/block': ['delete', 'post'],
        '/users/{username}/mute': ['delete', 'post'],
        '/users/me/blocks': ['get'],
        '/users/me/mutes': ['get'],
        '/posts': ['post'],
        '/posts/{id}': ['delete', 'get'],
        '/posts/{id}/fanout': ['get'],
        '/timelines/home': ['get'],
        '/timelines/home/marker': ['get', 'put'],
        '/health': ['get'],
        '/metrics': ['get'],
      };
      for (const [path, methods] of Object.entries(expected)) {
        expect([path, Object.keys(doc.paths[path] ?? {}).sort()]).toEqual([path, methods]);
      }
      expect(Object.values(doc.components.securitySchemes ?? {})).toContainEqual(
        expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      );
      // The bodies and the paging query are described, so the UI can send them.
      const schemas = doc.components.schemas;
      expect(Object.keys(schemas.RegisterDto.properties).sort()).toEqual(['displayName', 'password', 'username']);
      expect(Object.keys(schemas.CreatePostDto.properties).sort()).toEqual(['replyToId', 'text']);
      expect(Object.keys(schemas.FollowDto.properties)).toEqual(['reposts']);
      expect(Object.keys(schemas.PutMarkerDto.properties)).toEqual(['lastReadId']);
      const homeParams = (doc.paths['/timelines/home'].get as { parameters: { name: string }[] }).parameters.map((p) => p.name);
      expect(homeParams.sort()).toEqual(['cursor', 'limit', 'since']);
    });
  });

  describe('GET /metrics', () => {
    it('answers Prometheus text without a token, with the service’s own series', async () => {
      await request(url).get('/health');
      const user = await api.register('metrics_user');
      await api.createPost(user, 'measured');
      const res = await request(url).get('/metrics');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const lines = res.text.split('\n').filter((line) => line !== '');
      expect(lines.length).toBeGreaterThan(20);
      const sample = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? -?([0-9.e+-]+|NaN|\+Inf|-Inf)( -?\d+)?$/;
      for (const line of lines) {
        if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
        expect([line, sample.test(line)]).toEqual([line, true]);
      }
      expect(res.text).toContain('# TYPE feed_http_request_duration_seconds histogram');
      expect(res.text).toContain('# TYPE feed_fanout_delay_seconds histogram');
      expect(res.text).toContain('# TYPE feed_queue_depth gauge');
      expect(res.text).toContain('# TYPE process_cpu_user_seconds_total counter');
      // Requests are counted by route pattern, not by URL.
      expect(res.text).toMatch(/feed_http_request_duration_seconds_count\{[^}]*route="\/health"[^}]*status="200"[^}]*\} [1-9]/);
      expect(res.text).toMatch(/feed_http_request_duration_seconds_count\{method="POST",route="\/posts",status="201"\} 1/);
    });

    it('labels requests by route pattern, so ids never become labels', async () => {
      const user = await api.register('metrics_reader');
      const post = await api.createPost(user, 'read me');
      await api.get(`/posts/${post.id}`, user);
      const unknown = `/no-such-${Date.now()}`;
      await request(url).get(unknown);
      const res = await request(url).get('/metrics');
      expect(res.text).toMatch(/route="\/posts\/:id"/);
      expect(res.text).not.toContain(post.id);
      expect(res.text).not.toContain(unknown);
    });
  });

  it('answers an unknown path with a 404 in the error shape', async () => {
    expectError(await request(url).get('/no/such/path'), 404);
    expectError(await request(url).post('/health'), 404);
  });
});
