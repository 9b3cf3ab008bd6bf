import { AddressInfo } from 'node:net';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { ApiClient, TestUser, eventually } from './support/api-client';
import { ConsoleWatch, launchChromium, screenshotPath } from './support/browser';
import { TcpProxy } from './support/tcp-proxy';
import { TestEnv } from './support/test-env';

jest.setTimeout(60_000);

const PASSWORD = 'correct-horse-battery';
const POSTS = '[data-testid="timeline"] [data-testid="post"]';

/** Ids of the posts on the page's timeline, top to bottom. */
const shownIds = (page: Page) => page.$$eval(POSTS, (posts) => posts.map((p) => p.getAttribute('data-post-id')!));
const connection = (page: Page) => page.getByTestId('connection');

async function signUp(page: Page, url: string, username: string, displayName: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('auth-username').fill(username);
  await page.getByTestId('auth-password').fill(PASSWORD);
  await page.getByLabel('Display name').fill(displayName);
  await page.getByTestId('auth-register').click();
  await page.getByTestId('compose-text').waitFor();
}

/** Writes a post with the keyboard (Ctrl+Enter sends) and returns its id once it shows. */
async function postFrom(page: Page, text: string): Promise<string> {
  const box = page.getByTestId('compose-text');
  await box.focus();
  await page.keyboard.type(text);
  const answer = page.waitForResponse((r) => r.url().endsWith('/posts') && r.request().method() === 'POST');
  await page.keyboard.press('Control+Enter');
  const post = (await (await answer).json()) as { id: string };
  await page.locator(`${POSTS}[data-post-id="${post.id}"]`).waitFor();
  return post.id;
}

describe('the web client, in a real browser', () => {
  let env: TestEnv;
  let url: string;
  let proxy: TcpProxy;
  let browser: Browser;
  let aliceContext: BrowserContext;
  let bobContext: BrowserContext;
  let alice: Page;
  let bob: Page;
  const watch = new ConsoleWatch();
  const suffix = process.pid % 10_000;
  const names = {
    alice: `alice_${suffix}`, bob: `bob_${suffix}`, carol: `carol_${suffix}`,
    dave: `dave_${suffix}`, erin: `erin_${suffix}`, frank: `frank_${suffix}`,
  };
  const ids: string[] = [];

  beforeAll(async () => {
    env = await TestEnv.create();
    const app = await env.startApp();
    url = app.url;
    // Bob's window reaches the service through a proxy the test can cut, as a lost network would.
    proxy = new TcpProxy((app.app.getHttpServer().address() as AddressInfo).port);
    await proxy.start();
    browser = await launchChromium();
    aliceContext = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    bobContext = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    alice = await aliceContext.newPage();
    bob = await bobContext.newPage();
    watch.watch(alice, 'alice');
    watch.watch(bob, 'bob');
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.stop();
    await env?.close();
  });

  it('signs up two people in two windows; one follows the other by username', async () => {
    await signUp(alice, url, names.alice, 'Alice Liddell');
    await signUp(bob, `http://127.0.0.1:${proxy.port}`, names.bob, 'Bob Dylan');
    for (const page of [alice, bob]) await connection(page).filter({ hasText: 'live' }).waitFor();
    await bob.getByTestId('follow-username').fill(names.alice);
    await bob.getByTestId('follow-submit').click();
    await bob.getByText(`You follow @${names.alice} now`).waitFor();
  });

  it('counts characters as the API does (code points after trimming), and sends no more than 280', async () => {
    const box = alice.getByTestId('compose-text');
    const counter = alice.locator('form.composer .counter');
    await box.fill(`  ${'x'.repeat(279)}👋  `);
    expect(await counter.textContent()).toBe('280 / 280');
    expect(await alice.getByTestId('compose-submit').isEnabled()).toBe(true);
    await box.fill(`${'x'.repeat(280)}👋`);
    expect(await counter.textContent()).toBe('281 / 280');
    expect(await alice.getByTestId('compose-submit').isDisabled()).toBe(true);
    await box.fill('   ');
    expect(await alice.getByTestId('compose-submit').isDisabled()).toBe(true);
    await box.fill('');
  });

  it('shows a post live in the follower’s window without a reload, and its fan-out reaching done', async () => {
    ids.push(await postFrom(alice, 'Hello from Alice’s window 👋'));
    await bob.locator(`${POSTS}[data-post-id="${ids[0]}"]`).waitFor();
    expect(await bob.locator(POSTS).first().textContent()).toContain('Hello from Alice’s window 👋');
    await alice.getByTestId('fanout-state').filter({ hasText: 'done' }).waitFor();
    await expect(alice.getByTestId('fanout').textContent()).resolves.toContain('Delivered to 1 follower');
    const shown = bob.locator(`${POSTS}[data-post-id="${ids[0]}"]`);
    await shown.getByRole('button', { name: `Reply to @${names.alice}` }).waitFor();
    await shown.getByRole('button', { name: `Repost @${names.alice}’s post` }).waitFor();
  });

  it('after a lost connection, shows the posts it missed, each once and in order', async () => {
    const missed = await watch.failingRequests('bob', async () => {
      await bobContext.setOffline(true);
      await proxy.cut();
      await connection(bob).filter({ hasText: 'reconnecting' }).waitFor();
      const written = [];
      for (const n of [1, 2, 3]) written.push(await postFrom(alice, `While Bob was away, ${n}`));
      await bobContext.setOffline(false);
      await proxy.start();
      await connection(bob).filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
      return written;
    });
    const expected = [...missed].reverse();
    await eventually(async () => expect((await shownIds(bob)).slice(0, 3)).toEqual(expected));
    const shown = await shownIds(bob);
    expect(shown).toEqual([...expected, ids[0]]);
    ids.unshift(...expected);
  });

  it('loads an older page as the reader scrolls down, and keeps the session across a reload', async () => {
    const api = new ApiClient(url);
    const token = await alice.evaluate(() => JSON.parse(localStorage.getItem('feed-fanout.session')!).accessToken as string);
    const author = { id: '', username: names.alice, token };
    for (let n = 1; n <= 22; n++) ids.unshift((await api.createPost(author, `Older post number ${n}`)).id);
    // Bob's page shows them live; a reload starts again from the first page of 20.
    await bob.locator(`${POSTS}[data-post-id="${ids[0]}"]`).waitFor();
    await bob.reload();
    await connection(bob).filter({ hasText: 'live' }).waitFor();
    expect(await shownIds(bob)).toEqual(ids.slice(0, 20));
    await bob.mouse.wheel(0, 20_000);
    await bob.getByText('You have reached the beginning of your timeline.').waitFor();
    expect(await shownIds(bob)).toEqual(ids);
  });

  it('holds a post that arrives while the reader is scrolled down behind a “new posts” bar', async () => {
    const id = await postFrom(alice, 'Posted while Bob reads older posts');
    const bar = bob.getByRole('button', { name: 'Show 1 new post' });
    await bar.waitFor();
    expect((await shownIds(bob))[0]).toBe(ids[0]);
    await bar.click();
    await eventually(async () => expect((await shownIds(bob))[0]).toBe(id));
    ids.unshift(id);
  });

  it('explains a refused post in words: a rate limit’s wait counting down, then an unavailable service', async () => {
    // The answers are API.md's, made by the browser (the server has no rate limit to hit here):
    // what is tested is how the page tells a person about them, and that a retry reuses its key.
    const refusals: { status: number; headers: Record<string, string>; message: string }[] = [
      { status: 429, headers: { 'Retry-After': '2' }, message: 'too many posts; retry later' },
      { status: 503, headers: {}, message: 'redis is unavailable; retry shortly' },
    ];
    const keys: string[] = [];
    const composer = alice.locator('form.composer');
    await watch.failingRequests('alice', async () => {
      await alice.route(`${url}/posts`, (route) => {
        keys.push(route.request().headers()['idempotency-key']);
        const refusal = refusals.shift();
        if (!refusal) return route.continue();
        const body = { statusCode: refusal.status, error: refusal.status === 429 ? 'Too Many Requests' : 'Service Unavailable', message: refusal.message };
        return route.fulfill({ status: refusal.status, headers: refusal.headers, contentType: 'application/json', body: JSON.stringify(body) });
      });
      await alice.getByTestId('compose-text').fill('Refused twice, then posted once');
      await alice.getByTestId('compose-submit').click();
      await composer.getByText('Too many requests. Try again in 2 seconds.').waitFor();
      expect(await alice.getByTestId('compose-submit').isDisabled()).toBe(true);
      await composer.getByText('Too many requests. Try again in 1 second.').waitFor();
      await alice.waitForFunction(() => !(document.querySelector('[data-testid="compose-submit"]') as HTMLButtonElement).disabled);
      await alice.getByTestId('compose-submit').click();
      await composer.getByText('The service is temporarily unavailable. Nothing was lost; try again in a moment.').waitFor();
      expect(await composer.textContent()).not.toMatch(/statusCode|[{}]/);
      expect(await alice.getByTestId('compose-text').inputValue()).toBe('Refused twice, then posted once');
    });
    await alice.getByTestId('compose-submit').click();
    await alice.locator(POSTS).first().filter({ hasText: 'Refused twice, then posted once' }).waitFor();
    await alice.unroute(`${url}/posts`);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    ids.unshift((await alice.locator(POSTS).first().getAttribute('data-post-id'))!);
  });

  it('signs the reader out when the session expires, says so, and signs in again', async () => {
    const shortLived = await env.startApp({ JWT_EXPIRES_IN: '3s' });
    const context = await browser.newContext();
    const carol = await context.newPage();
    watch.watch(carol, 'carol');
    await watch.failingRequests('carol', async () => {
      await signUp(carol, shortLived.url, names.carol, 'Carol');
      const token = await carol.evaluate(() => JSON.parse(localStorage.getItem('feed-fanout.session')!).accessToken as string);
      const expiresAt = (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { exp: number }).exp * 1000;
      await eventually(async () => expect(Date.now()).toBeGreaterThan(expiresAt + 200), 5_000);
      // Whatever comes first ends the session: this request, or the server closing the live feed.
      await carol.getByTestId('follow-username').fill(names.alice, { timeout: 1_000 }).then(
        () => carol.getByTestId('follow-submit').click({ timeout: 1_000 }),
        () => undefined,
      );
      await carol.getByText('You have been signed out: your session has expired. Sign in again.').waitFor();
    });
    expect(await carol.evaluate(() => localStorage.getItem('feed-fanout.session'))).toBeNull();
    await carol.getByTestId('auth-username').fill(names.carol);
    await carol.getByTestId('auth-password').fill(PASSWORD);
    await carol.getByTestId('auth-login').click();
    await connection(carol).filter({ hasText: 'live' }).waitFor();
    await context.close();
  });

  it('shows version 2 posts: a repost with who reposted it, a reply with whom it answers, and their controls', async () => {
    const api = new ApiClient(url);
    const register = async (username: string, displayName: string): Promise<TestUser> => {
      const res = await api.post('/auth/register').send({ username, password: PASSWORD, displayName });
      expect(res.status).toBe(201);
      return { id: res.body.user.id, username, token: res.body.accessToken };
    };
    const erin = await register(names.erin, 'Erin');
    const frank = await register(names.frank, 'Frank');
    const context = await browser.newContext();
    const dave = await context.newPage();
    watch.watch(dave, 'dave');
    await signUp(dave, url, names.dave, 'Dave');
    const daveToken = await dave.evaluate(() => JSON.parse(localStorage.getItem('feed-fanout.session')!).accessToken as string);
    const daveUser: TestUser = { id: '', username: names.dave, token: daveToken };

    // Dave follows Erin only: her reply to herself reaches him (rule 1), and her repost of Frank's
    // post is not a duplicate of anything in his timeline (rule 2).
    await api.follow(daveUser, erin);
    const first = await api.createPost(erin, 'What Erin said first');
    const reply = await api.post('/posts', erin).send({ text: 'I agree with myself', replyToId: first.id });
    expect(reply.status).toBe(201);
    const original = await api.createPost(frank, 'The original words');
    const repost = await api.post(`/posts/${original.id}/repost`, erin);
    expect(repost.status).toBe(201);
    const expected = [repost.body.id, reply.body.id, first.id];
    await eventually(async () => expect(await api.homeIds(daveUser)).toEqual(expected));
    await dave.reload();
    await eventually(async () => expect(await shownIds(dave)).toEqual(expected));

    const [shownRepost, shownReply] = [dave.locator(POSTS).nth(0), dave.locator(POSTS).nth(1)];
    await shownRepost.getByText(`Reposted by Erin (@${names.erin})`).waitFor();
    expect(await shownRepost.locator('.post-text').textContent()).toBe('The original words');
    expect(await shownRepost.locator('.post-author').textContent()).toContain(`@${names.frank}`);
    await shownReply.getByText(`Replying to @${names.erin}`).waitFor();
    await shownReply.getByRole('button', { name: `Show the post by @${names.erin} this replies to` }).click();
    await shownReply.getByText('What Erin said first').waitFor();

    await shownRepost.getByRole('button', { name: `Reply to @${names.frank}` }).click();
    await dave.locator('form.composer').getByText(`Replying to @${names.frank}: “The original words”`).waitFor();
    await shownRepost.getByLabel(`Actions for @${names.frank}`).click();
    for (const item of ['Follow', 'Mute', 'Block']) await shownRepost.getByRole('button', { name: `${item} @${names.frank}` }).waitFor();
    await dave.getByText('Muted and blocked').waitFor();
    expect(await dave.getByLabel('Show their reposts').isChecked()).toBe(true);
    await dave.screenshot({ path: screenshotPath('version-2') });
    await context.close();
  });

  it('labels every control for assistive technology', async () => {
    for (const page of [alice, bob]) {
      const unnamed = await page.$$eval('input, textarea, button, summary', (controls) =>
        controls
          .filter((control) => !control.closest('[hidden]'))
          .filter((control) => {
            const labels = (control as HTMLInputElement).labels;
            return !(labels && labels.length > 0) && !control.getAttribute('aria-label') && !control.textContent?.trim();
          })
          .map((control) => control.outerHTML.slice(0, 120)),
      );
      expect(unnamed).toEqual([]);
    }
  });

  it('leaves screenshots of both windows next to the test output', async () => {
    await bob.evaluate(() => window.scrollTo(0, 0));
    await alice.getByTestId('fanout-state').filter({ hasText: 'done' }).waitFor();
    const shots: string[] = [];
    for (const [name, page] of [['alice', alice], ['bob', bob]] as const) {
      shots.push((await page.screenshot({ path: screenshotPath(name) })).toString('base64'));
    }
    // Both windows side by side, as the README shows them (docs/web-client.png is a copy).
    const sideBySide = await browser.newPage({ viewport: { width: 2216, height: 836 } });
    await sideBySide.setContent(
      '<body style="margin:0;display:flex;gap:16px;background:#8c959f;padding:18px 0 18px 0">' +
        shots.map((png) => `<img src="data:image/png;base64,${png}" width="1100" height="800">`).join('') +
        '</body>',
    );
    await sideBySide.screenshot({ path: screenshotPath('both-windows') });
    await sideBySide.close();
  });

  it('writes no error to either console', () => {
    expect(watch.unexpected()).toEqual([]);
  });
});
