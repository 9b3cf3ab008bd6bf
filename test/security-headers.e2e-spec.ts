import { connect as tcpConnect } from 'node:net';
import { io } from 'socket.io-client';
import request from 'supertest';
import { ApiClient, TestUser } from './support/api-client';
import { launchChromium } from './support/browser';
import { TestEnv } from './support/test-env';

jest.setTimeout(60_000);

const ALLOWED = 'https://app.example.com';
const FOREIGN = 'https://evil.example.net';

/** The directives of a Content-Security-Policy header, by name. */
function csp(header: unknown): Record<string, string[]> {
  const directives: Record<string, string[]> = {};
  for (const part of String(header).split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives[name] = values;
  }
  return directives;
}

/** Connects a socket that sends this Origin (as a browser page on it would); resolves to how it went. */
function socketFrom(url: string, token: string, origin?: string): Promise<'connected' | string> {
  const socket = io(`${url}/feed`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: origin ? { Origin: origin } : {},
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timed out'), 10_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.close();
      resolve('connected');
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      socket.close();
      resolve(`refused: ${err.message}`);
    });
  });
}

describe('security headers, CORS_ORIGINS and timeouts (API.md "limits and headers")', () => {
  let env: TestEnv;
  let open: string;
  let closed: string;
  let user: TestUser;

  beforeAll(async () => {
    env = await TestEnv.create();
    open = (await env.startApp({ CORS_ORIGINS: `${ALLOWED}, http://localhost:5173` })).url;
    closed = (await env.startApp({ REQUEST_TIMEOUT_MS: '1000' })).url;
    user = await new ApiClient(open).register();
  });

  afterAll(() => env.close());

  describe('helmet headers', () => {
    it('puts nosniff, a CSP and framing and referrer rules on every answer: JSON, errors, metrics', async () => {
      for (const res of [
        await request(closed).get('/health'),
        await request(closed).get('/users/me'),
        await request(closed).get('/metrics'),
        await request(closed).get('/users/me').set('Authorization', `Bearer ${user.token}`),
      ]) {
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(csp(res.headers['content-security-policy'])['default-src']).toEqual(["'self'"]);
        expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['x-powered-by']).toBeUndefined();
      }
    });

    it('serves the web client under a strict CSP: scripts and styles from this origin only, no inline anything', async () => {
      const page = await request(closed).get('/');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      const policy = csp(page.headers['content-security-policy']);
      expect(policy).toMatchObject({
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'"],
        'object-src': ["'none'"],
        'frame-ancestors': ["'none'"],
        'connect-src': ["'self'"],
      });
      expect(page.headers['content-security-policy']).not.toContain('unsafe');
      expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son\w+=/i);
    });

    it('allows inline styles on /docs only, never inline scripts', async () => {
      const docs = await request(closed).get('/docs/');
      expect(docs.status).toBe(200);
      const policy = csp(docs.headers['content-security-policy']);
      expect(policy['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
      expect(policy['script-src']).toEqual(["'self'"]);
      expect(csp((await request(closed).get('/docs-json')).headers['content-security-policy'])['style-src']).toEqual(["'self'"]);
      expect(csp((await request(closed).get('/documents')).headers['content-security-policy'])['style-src']).toEqual(["'self'"]);
    });
  });

  it('lets Swagger UI and the web client work in a real browser under their policies, with no CSP violation', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      await page.goto(`${closed}/docs`);
      await page.getByText('/auth/login', { exact: true }).first().waitFor();
      await page.goto(closed);
      await page.getByTestId('auth-username').waitFor();
      expect(violations).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  describe('CORS_ORIGINS on REST', () => {
    it('echoes an allowed origin, and exposes the rate-limit and replay headers to it', async () => {
      const res = await request(open).get('/users/me').set('Origin', ALLOWED).set('Authorization', `Bearer ${user.token}`);
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(res.headers['access-control-expose-headers']).toEqual(expect.stringContaining('RateLimit-Remaining'));
      expect(res.headers['access-control-expose-headers']).toEqual(expect.stringContaining('Retry-After'));
    });

    it('answers an allowed preflight with the methods and headers the API takes', async () => {
      const res = await request(open)
        .options('/posts')
        .set('Origin', 'http://localhost:5173')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization, content-type, idempotency-key');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('http://localhost:5173');
      expect(res.headers['access-control-allow-methods']).toContain('POST');
      expect(res.headers['access-control-allow-headers'].toLowerCase()).toEqual(expect.stringContaining('idempotency-key'));
    });

    it('never echoes an origin that is not on the list, in a preflight or an answer', async () => {
      const preflight = await request(open).options('/posts').set('Origin', FOREIGN).set('Access-Control-Request-Method', 'POST');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      const answer = await request(open).get('/health').set('Origin', FOREIGN);
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
      const lookalike = await request(open).get('/health').set('Origin', `${ALLOWED}.evil.example.net`);
      expect(lookalike.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('gives no cross-origin access at all when CORS_ORIGINS is empty (the default)', async () => {
      const answer = await request(closed).get('/health').set('Origin', ALLOWED);
      expect(answer.status).toBe(200);
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await request(closed).options('/posts').set('Origin', ALLOWED).set('Access-Control-Request-Method', 'POST');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('CORS_ORIGINS on Socket.IO', () => {
    it('lets in a page on an allowed origin, the service’s own page, and clients that send no Origin', async () => {
      expect(await socketFrom(open, user.token, ALLOWED)).toBe('connected');
      expect(await socketFrom(open, user.token, open)).toBe('connected');
      expect(await socketFrom(closed, user.token, closed)).toBe('connected');
      expect(await socketFrom(closed, user.token)).toBe('connected');
    });

    it('refuses a page on any other origin, with a valid token', async () => {
      expect(await socketFrom(open, user.token, FOREIGN)).toMatch(/^refused/);
      expect(await socketFrom(closed, user.token, ALLOWED)).toMatch(/^refused/);
      expect(await socketFrom(open, user.token, 'null')).toMatch(/^refused/);
    });
  });

  describe('timeouts', () => {
    it('cuts off a client that sends its body too slowly (REQUEST_TIMEOUT_MS) with 408, instead of holding the connection', async () => {
      const started = Date.now();
      const { port } = new URL(closed);
      const answer = await new Promise<string>((resolve, reject) => {
        let received = '';
        const socket = tcpConnect(Number(port), '127.0.0.1', () => {
          socket.write('POST /posts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"te');
        });
        const guard = setTimeout(() => {
          socket.destroy();
          reject(new Error(`still open after 20 s; received: ${received}`));
        }, 20_000);
        socket.on('data', (chunk) => (received += chunk));
        socket.on('close', () => {
          clearTimeout(guard);
          resolve(received);
        });
        socket.on('error', () => undefined);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    });
  });
});
