import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { OpenApiResponses } from './support/openapi-responses';
import { TestEnv } from './support/test-env';

const run = promisify(execFile);
const METHODS = ['get', 'post', 'put', 'delete', 'patch'];

type Json = Record<string, any>;

describe('the OpenAPI document (/docs-json)', () => {
  let env: TestEnv;
  let url: string;
  let doc: Json;
  const operations: { name: string; op: Json }[] = [];

  beforeAll(async () => {
    env = await TestEnv.create();
    ({ url } = await env.startApp());
    doc = (await request(url).get('/docs-json')).body;
    for (const [path, item] of Object.entries(doc.paths as Json)) {
      for (const method of METHODS) if (item[method]) operations.push({ name: `${method.toUpperCase()} ${path}`, op: item[method] });
    }
  });

  afterAll(() => env.close());

  it('passes Redocly’s recommended lint without a single problem', async () => {
    const lint = await run(process.execPath, [join(__dirname, '..', 'scripts', 'lint-openapi.mjs'), `${url}/docs-json`]).catch(
      (err: { stdout: string; stderr: string }) => {
        throw new Error(`redocly lint found problems:\n${err.stdout}${err.stderr}`);
      },
    );
    expect(lint.stdout).toContain('the OpenAPI document is clean');
  });

  it('says which operations are public (security: []) and that the rest need the bearer token', () => {
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const open = operations.filter(({ op }) => Array.isArray(op.security) && op.security.length === 0).map(({ name }) => name);
    expect(open.sort()).toEqual(['GET /health', 'GET /metrics', 'POST /auth/login', 'POST /auth/register']);
    for (const { name, op } of operations) {
      if (open.includes(name)) continue;
      expect([name, op.security ?? doc.security]).toEqual([name, [{ bearer: [] }]]);
      expect([name, Object.keys(op.responses)]).toEqual([name, expect.arrayContaining(['401'])]);
    }
  });

  it('types limit as an integer from 1 to 100 on every paged operation', () => {
    const paged = operations.filter(({ op }) => (op.parameters ?? []).some((p: Json) => p.name === 'limit'));
    expect(paged.length).toBeGreaterThanOrEqual(4);
    for (const { name, op } of paged) {
      const limit = op.parameters.find((p: Json) => p.name === 'limit');
      expect([name, limit.in, limit.schema]).toEqual([name, 'query', { type: 'integer', minimum: 1, maximum: 100, default: 20 }]);
    }
  });

  it('refuses unknown fields in every request body, as the server does', () => {
    const bodies = operations.filter(({ op }) => op.requestBody);
    expect(bodies.map(({ name }) => name).sort()).toEqual(expect.arrayContaining(['POST /auth/login', 'POST /auth/register', 'POST /posts']));
    for (const { name, op } of bodies) {
      const schema = doc.components.schemas[op.requestBody.content['application/json'].schema.$ref.split('/').pop()];
      expect([name, schema.additionalProperties]).toEqual([name, false]);
    }
    expect(doc.components.schemas.CreatePostDto).toMatchObject({
      required: ['text'],
      properties: { text: { type: 'string', minLength: 1, maxLength: 280 } },
    });
  });

  it('describes Idempotency-Key, Idempotent-Replayed and a Retry-After on every 429', () => {
    const create = doc.paths['/posts'].post;
    expect(create.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }));
    expect(create.responses['201'].headers['Idempotent-Replayed']).toMatchObject({ schema: { type: 'string', enum: ['true'] } });
    const limited = operations.filter(({ op }) => op.responses['429']);
    expect(limited.length).toBe(operations.length - 2); // all but /health and /metrics
    for (const { name, op } of limited) {
      expect([name, op.responses['429'].headers['Retry-After']]).toEqual([
        name,
        expect.objectContaining({ required: true, schema: { type: 'integer', minimum: 0 } }),
      ]);
    }
  });

  it('describes the RateLimit-* headers on the limited operations: authenticated GETs, sign-in and writes', () => {
    const headersOf = (name: string, status: string) => {
      const op = operations.find((o) => o.name === name)!.op;
      return Object.keys(op.responses[status].headers ?? {});
    };
    const all = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'];
    for (const [name, status] of [
      ['GET /timelines/home', '200'],
      ['GET /users/me', '200'],
      ['POST /auth/login', '200'],
      ['POST /auth/register', '201'],
      ['POST /posts', '201'],
      ['POST /users/{username}/follow', '200'],
      ['PUT /timelines/home/marker', '200'],
    ]) {
      expect([name, headersOf(name, status)]).toEqual([name, expect.arrayContaining(all)]);
      expect([name, headersOf(name, '429')]).toEqual([name, expect.arrayContaining(['Retry-After', ...all])]);
    }
    expect(headersOf('GET /health', '200')).toEqual([]);
    const home = operations.find((o) => o.name === 'GET /timelines/home')!.op;
    expect(home.responses['200'].headers['RateLimit-Remaining']).toMatchObject({ required: true, schema: { type: 'integer', minimum: 0 } });
    expect(home.responses['401'].headers['RateLimit-Remaining'].required).toBe(false);
  });

  it('gives every answer but 204 a schema, and every error the error shape', () => {
    for (const { name, op } of operations) {
      expect([name, typeof op.summary]).toEqual([name, 'string']);
      for (const [status, response] of Object.entries(op.responses as Json)) {
        if (status === '204') continue;
        const schema = Object.values(response.content ?? {})[0] as Json | undefined;
        expect([name, status, schema?.schema !== undefined]).toEqual([name, status, true]);
        if (Number(status) >= 400 && name !== 'GET /health') {
          expect([name, status, schema!.schema]).toEqual([name, status, { $ref: '#/components/schemas/ErrorView' }]);
        }
      }
    }
    expect(doc.components.schemas.PostView.required).toEqual(['id', 'text', 'createdAt', 'author', 'replyTo', 'repostOf']);
    expect(doc.components.schemas.FanoutStatusView.properties.delayMs).toMatchObject({ type: 'integer', nullable: true });
  });

  describe('the response check every e2e test runs (test/support/openapi-responses.ts)', () => {
    let check: OpenApiResponses;
    const post = { id: '5', text: 'hi', createdAt: '2026-01-01T00:00:00.000Z', author: { id: '1', username: 'ada', displayName: 'Ada' }, replyTo: null, repostOf: null };
    const limited = { 'ratelimit-limit': '100', 'ratelimit-remaining': '99', 'ratelimit-reset': '60' };
    const answer = (route: string, method: string, status: number, body: unknown, headers: Json = {}) =>
      check.check({
        method,
        route,
        status,
        headers: { 'content-type': 'application/json; charset=utf-8', ...limited, ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    beforeAll(() => {
      check = new OpenApiResponses(doc);
    });

    it('passes answers that match', () => {
      expect(answer('/posts/:id', 'GET', 200, post)).toEqual([]);
      const reply = { ...post, id: '6', replyTo: { id: '5', author: post.author } };
      expect(answer('/posts/:id', 'GET', 200, reply)).toEqual([]);
      expect(answer('/posts/:id', 'GET', 200, { ...post, id: '7', text: '', repostOf: reply })).toEqual([]);
      expect(answer('/posts/:id', 'GET', 200, { ...post, repostOf: { id: '5' } })).not.toEqual([]);
      expect(answer('/posts/:id', 'DELETE', 204, undefined)).toEqual([]);
      expect(answer('/users/:username/posts', 'GET', 200, { items: [post], nextCursor: null })).toEqual([]);
      expect(answer('/posts', 'POST', 400, { statusCode: 400, error: 'Bad Request', message: ['text must be a string'] })).toEqual([]);
      expect(answer('/', 'GET', 200, '<html>')).toEqual([]);
    });

    it('names the operation, what is wrong and the schema path', () => {
      const { author: _author, ...noAuthor } = post;
      expect(answer('/posts/:id', 'GET', 200, noAuthor)).toEqual([
        "GET /posts/{id} (PostsController_get) → 200: body must have required property 'author' (schema #/components/schemas/PostView/required)",
      ]);
      expect(answer('/posts/:id', 'GET', 200, { ...post, author: { ...post.author, id: 5 } })).toEqual([
        'GET /posts/{id} (PostsController_get) → 200: body/author/id must be string (schema #/components/schemas/AuthorView/properties/id/type)',
      ]);
    });

    it('catches a field the document does not name, a status it does not list, a missing header and a stray body', () => {
      expect(answer('/posts/:id', 'GET', 200, { ...post, secret: 1 })[0]).toMatch(/must NOT have additional properties "secret"/);
      expect(answer('/posts/:id', 'GET', 500, { statusCode: 500, error: 'Internal Server Error', message: 'x' })).toEqual([
        expect.stringMatching(/^GET \/posts\/\{id\} \(PostsController_get\) → 500: the document lists no 500 for this operation/),
      ]);
      expect(answer('/posts', 'POST', 429, { statusCode: 429, error: 'Too Many Requests', message: 'slow down' })).toEqual([
        expect.stringContaining('the required header Retry-After is missing'),
      ]);
      expect(answer('/posts', 'POST', 429, { statusCode: 429, error: 'Too Many Requests', message: 'slow down' }, { 'retry-after': '12' })).toEqual([]);
      expect(answer('/posts/:id', 'GET', 200, post, { 'ratelimit-remaining': undefined })).toEqual([
        expect.stringContaining('the required header RateLimit-Remaining is missing'),
      ]);
      expect(answer('/posts/:id', 'DELETE', 204, { deleted: true })).toEqual([expect.stringContaining('has a body, but the document describes none')]);
      expect(answer('/no-such-route', 'GET', 200, {})).toEqual([expect.stringContaining('the document has no such operation')]);
    });
  });
});
