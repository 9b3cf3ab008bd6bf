import request from 'supertest';
import { expectError } from './expect-error';
import { ApiClient } from './support/api-client';
import { launchChromium } from './support/browser';
import { TestEnv } from './support/test-env';

jest.setTimeout(60_000);

const TOKEN = 'operator-token-for-the-queue-dashboard';
const basic = (password: string) => `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;

describe('the queue dashboard at /admin/queues', () => {
  let env: TestEnv;
  let withToken: string;
  let withoutToken: string;

  beforeAll(async () => {
    env = await TestEnv.create();
    withToken = (await env.startApp({ ADMIN_TOKEN: TOKEN })).url;
    withoutToken = (await env.startApp()).url;
    // A post, so the queues have a job to show.
    const api = new ApiClient(withToken);
    await api.createPost(await api.register(), 'for the dashboard');
  });

  afterAll(() => env.close());

  it('is a 404 like any unknown path when ADMIN_TOKEN is not set, token or not', async () => {
    expectError(await request(withoutToken).get('/admin/queues'), 404);
    expectError(await request(withoutToken).get('/admin/queues/api/queues').set('Authorization', `Bearer ${TOKEN}`), 404);
  });

  it('asks for the token when it is set: 401 without it or with a wrong one, and browsers are offered Basic', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token', basic('wrong-token'), `Bearer ${TOKEN}x`]) {
      const req = request(withToken).get('/admin/queues');
      const res = await (authorization ? req.set('Authorization', authorization) : req);
      expectError(res, 401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm=/);
    }
    expectError(await request(withToken).get('/admin/queues/api/queues'), 401, 'ADMIN_TOKEN');
    expectError(await request(withToken).get('/admin/queues/static/css/none.css'), 401);
  });

  it('serves the dashboard and its API for every queue with Authorization: Bearer <ADMIN_TOKEN>, as the contract says', async () => {
    const page = await request(withToken).get('/admin/queues').set('Authorization', `Bearer ${TOKEN}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<base href="/admin/queues/"');
    const queues = await request(withToken).get('/admin/queues/api/queues').set('Authorization', `Bearer ${TOKEN}`);
    expect(queues.status).toBe(200);
    expect((queues.body.queues as { name: string }[]).map((q) => q.name).sort()).toEqual(['fanout', 'fanout-bulk', 'graph', 'maintenance']);
  });

  it('takes the same token as the password of Basic authentication, which a browser can send', async () => {
    const res = await request(withToken).get('/admin/queues/api/queues').set('Authorization', basic(TOKEN));
    expect(res.status).toBe(200);
  });

  it('refuses a change to the queues that another site asks a browser to make, and takes it from the dashboard', async () => {
    const pause = (site: string) =>
      request(withToken).put('/admin/queues/api/queues/fanout/pause').set('Authorization', basic(TOKEN)).set('Sec-Fetch-Site', site);
    const paused = async () =>
      (await request(withToken).get('/admin/queues/api/queues').set('Authorization', basic(TOKEN))).body.queues.find(
        (q: { name: string }) => q.name === 'fanout',
      ).isPaused;
    expectError(await pause('cross-site').set('Origin', 'http://evil.example'), 403, 'only accepted from the dashboard itself');
    expect(await paused()).toBe(false);
    expect((await pause('same-origin')).status).toBe(200);
    expect(await paused()).toBe(true);
    await request(withToken).put('/admin/queues/api/queues/fanout/resume').set('Authorization', `Bearer ${TOKEN}`).expect(200);
  });

  it('opens in a real browser with the token as the password it asks for', async () => {
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ httpCredentials: { username: 'admin', password: TOKEN } });
      const page = await context.newPage();
      const response = await page.goto(`${withToken}/admin/queues`);
      expect(response?.status()).toBe(200);
      for (const queue of ['fanout', 'fanout-bulk', 'graph']) await page.getByText(queue, { exact: true }).first().waitFor();
    } finally {
      await browser.close();
    }
  });
});
