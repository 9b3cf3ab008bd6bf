import { expectError } from './expect-error';
import { byIdDesc, expectPage, expectPost } from './shapes';
import { ApiClient, TestUser } from './support/api-client';
import { TestEnv } from './support/test-env';

describe('posts: create, idempotency, read, delete, list by author', () => {
  let env: TestEnv;
  let api: ApiClient;

  beforeAll(async () => {
    env = await TestEnv.create();
    const { url } = await env.startApp();
    api = new ApiClient(url);
  });

  afterAll(() => env.close());

  const postsCount = async (user: TestUser) => (await api.get('/users/me', user)).body.postsCount as number;
  const listed = async (user: TestUser, viewer = user) =>
    (await api.get(`/users/${user.username}/posts?limit=100`, viewer)).body.items.map((p: { id: string }) => p.id);

  describe('POST /posts', () => {
    let author: TestUser;

    beforeAll(async () => {
      author = await api.register('Post_Author');
    });

    it('answers 201 with the Post, stored and counted', async () => {
      const res = await api.post('/posts', author).send({ text: 'Hello, world' });
      expect(res.status).toBe(201);
      expectPost(res.body, {
        text: 'Hello, world',
        author: { id: author.id, username: 'Post_Author', displayName: 'Post_Author' },
      });
      expect(Math.abs(Date.parse(res.body.createdAt) - Date.now())).toBeLessThan(60_000);
      expect(res.headers['idempotent-replayed']).toBeUndefined();
      expect((await api.get(`/posts/${res.body.id}`, author)).body).toEqual(res.body);
      expect(await postsCount(author)).toBe(1);
    });

    it('stores the text trimmed, keeping inner whitespace', async () => {
      const post = await api.createPost(author, ' \n\t  two  words\nand a line \u00a0\u3000\n ');
      expect(post.text).toBe('two  words\nand a line');
      expect((await api.get(`/posts/${post.id}`, author)).body.text).toBe('two  words\nand a line');
    });

    it('counts characters as Unicode code points: 280 emoji fit, 281 do not', async () => {
      const emoji280 = '😀'.repeat(280);
      const ok = await api.post('/posts', author).send({ text: emoji280 });
      expect(ok.status).toBe(201);
      expect(ok.body.text).toBe(emoji280);
      expect((await api.get(`/posts/${ok.body.id}`, author)).body.text).toBe(emoji280);
      expectError(await api.post('/posts', author).send({ text: '😀'.repeat(281) }), 400, 'text');
      expectError(await api.post('/posts', author).send({ text: 'a' + '😀'.repeat(280) }), 400, 'text');
    });

    it('accepts 280 plain characters, counted after trimming, and refuses 281', async () => {
      expect((await api.post('/posts', author).send({ text: 'x'.repeat(280) })).status).toBe(201);
      const padded = await api.post('/posts', author).send({ text: `   ${'y'.repeat(280)}   ` });
      expect(padded.status).toBe(201);
      expect(padded.body.text).toBe('y'.repeat(280));
      expectError(await api.post('/posts', author).send({ text: 'x'.repeat(281) }), 400, 'text');
      // Accents written as a letter and a combining mark are two code points each.
      expectError(await api.post('/posts', author).send({ text: 'e\u0301'.repeat(141) }), 400, 'text');
      expect((await api.post('/posts', author).send({ text: 'e\u0301'.repeat(140) })).status).toBe(201);
    });

    it('refuses empty and whitespace-only text with 400, storing nothing', async () => {
      const before = await postsCount(author);
      for (const text of ['', ' ', '   \n\t  ', '\u00a0\u3000']) {
        expectError(await api.post('/posts', author).send({ text }), 400, 'text');
      }
      expect(await postsCount(author)).toBe(before);
    });
  });

  describe('Idempotency-Key', () => {
    let author: TestUser;
    let other: TestUser;

    beforeAll(async () => {
      author = await api.register('idem_author');
      other = await api.register('idem_other');
    });

    it('replays the same post with 201 and Idempotent-Replayed: true, and creates nothing', async () => {
      const first = await api.post('/posts', author).set('Idempotency-Key', 'key-1').send({ text: 'only once' });
      expect(first.status).toBe(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expectPost(first.body, { text: 'only once' });

      for (const text of ['only once', 'a different text, same key']) {
        const again = await api.post('/posts', author).set('Idempotency-Key', 'key-1').send({ text });
        expect(again.status).toBe(201);
        expect(again.headers['idempotent-replayed']).toBe('true');
        expect(again.body).toEqual(first.body);
      }
      expect(await postsCount(author)).toBe(1);
      expect(await listed(author)).toEqual([first.body.id]);
      expect(await api.homeIds(author)).toEqual([first.body.id]);
    });

    it('creates a new post for another key, and for no key', async () => {
      const a = await api.post('/posts', author).set('Idempotency-Key', 'key-2').send({ text: 'second' });
      const b = await api.post('/posts', author).send({ text: 'third' });
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(a.headers['idempotent-replayed']).toBeUndefined();
      expect(new Set([a.body.id, b.body.id]).size).toBe(2);
      expect(await postsCount(author)).toBe(3);
    });

    it('does not spend a key on a refused request: a valid retry with it creates the post', async () => {
      const count = await postsCount(author);
      expectError(await api.post('/posts', author).set('Idempotency-Key', 'retry-me').send({ text: '   ' }), 400);
      expectError(await api.post('/posts', author).set('Idempotency-Key', 'retry-me').send({ text: 5 }), 400);
      const ok = await api.post('/posts', author).set('Idempotency-Key', 'retry-me').send({ text: 'third time lucky' });
      expect(ok.status).toBe(201);
      expect(ok.headers['idempotent-replayed']).toBeUndefined();
      expect(ok.body.text).toBe('third time lucky');
      expect(await postsCount(author)).toBe(count + 1);
      await api.delete(`/posts/${ok.body.id}`, author);
    });

    it('is per user: the same key by another user creates that user a new post', async () => {
      const mine = await api.post('/posts', other).set('Idempotency-Key', 'key-1').send({ text: 'only once' });
      expect(mine.status).toBe(201);
      expect(mine.headers['idempotent-replayed']).toBeUndefined();
      expectPost(mine.body, { text: 'only once', author: { id: other.id, username: 'idem_other', displayName: 'idem_other' } });
      expect(await postsCount(other)).toBe(1);
      expect(await postsCount(author)).toBe(3);
      expect(await listed(other)).toEqual([mine.body.id]);
    });

    it('creates exactly one post when the same key arrives many times at once', async () => {
      const racers = await Promise.all(
        Array.from({ length: 8 }, () => api.post('/posts', other).set('Idempotency-Key', 'racing-key').send({ text: 'race' })),
      );
      for (const res of racers) expect(res.status).toBe(201);
      const ids = new Set(racers.map((r) => r.body.id));
      expect(ids.size).toBe(1);
      expect(racers.filter((r) => r.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
      expect(racers.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(7);
      expect(await postsCount(other)).toBe(2);
    });

    it('forgets a key after 24 hours: the same key then creates a new post', async () => {
      const first = await api.post('/posts', author).set('Idempotency-Key', 'day-old').send({ text: 'yesterday' });
      expect(first.status).toBe(201);
      const sql = await env.sql();
      await sql.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'day-old'`);
      const count = await postsCount(author);
      const next = await api.post('/posts', author).set('Idempotency-Key', 'day-old').send({ text: 'today' });
      expect(next.status).toBe(201);
      expect(next.headers['idempotent-replayed']).toBeUndefined();
      expect(next.body.id).not.toBe(first.body.id);
      expect(next.body.text).toBe('today');
      expect(await postsCount(author)).toBe(count + 1);
      // ...and the key now answers with the new post for the next 24 hours.
      const replay = await api.post('/posts', author).set('Idempotency-Key', 'day-old').send({ text: 'today' });
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(next.body);
    });

    it('does not bring back a deleted post, nor create a new one', async () => {
      const first = await api.post('/posts', other).set('Idempotency-Key', 'doomed').send({ text: 'to delete' });
      expect((await api.delete(`/posts/${first.body.id}`, other)).status).toBe(204);
      const count = await postsCount(other);
      const again = await api.post('/posts', other).set('Idempotency-Key', 'doomed').send({ text: 'to delete' });
      expectError(again, 409);
      expect(await postsCount(other)).toBe(count);
      expect(await listed(other)).not.toContain(first.body.id);
    });
  });

  describe('GET and DELETE /posts/:id', () => {
    let author: TestUser;
    let stranger: TestUser;

    beforeAll(async () => {
      author = await api.register('del_author');
      stranger = await api.register('del_stranger');
    });

    it('GET answers the post to anyone, and 404 for an unknown id', async () => {
      const post = await api.createPost(author, 'readable');
      const res = await api.get(`/posts/${post.id}`, stranger);
      expect(res.status).toBe(200);
      expectPost(res.body, { id: post.id, text: 'readable', author: { id: author.id, username: 'del_author' } });
      expectError(await api.get(`/posts/${BigInt(post.id) + 1n}`, stranger), 404);
      expectError(await api.get('/posts/1', stranger), 404);
      expectError(await api.get('/posts/9223372036854775807', stranger), 404);
    });

    it('DELETE answers 204 with no body, then the post is gone everywhere (404 on GET and on a second DELETE)', async () => {
      const keep = await api.createPost(author, 'keep me');
      const post = await api.createPost(author, 'delete me');
      expect(await postsCount(author)).toBe(3);
      const res = await api.delete(`/posts/${post.id}`, author);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expectError(await api.get(`/posts/${post.id}`, author), 404);
      expectError(await api.get(`/posts/${post.id}`, stranger), 404);
      expectError(await api.delete(`/posts/${post.id}`, author), 404);
      expect(await postsCount(author)).toBe(2);
      expect(await listed(author, stranger)).not.toContain(post.id);
      expect(await listed(author, stranger)).toContain(keep.id);
      expect(await api.homeIds(author)).not.toContain(post.id);
      expect(await api.homeIds(author)).toContain(keep.id);
    });

    it("DELETE of someone else's post answers 403 and leaves it", async () => {
      const post = await api.createPost(author, 'not yours');
      expectError(await api.delete(`/posts/${post.id}`, stranger), 403);
      expect((await api.get(`/posts/${post.id}`, stranger)).status).toBe(200);
      expect(await postsCount(author)).toBe(3);
      expect(await postsCount(stranger)).toBe(0);
    });

    it("DELETE of an unknown post, or of someone else's deleted post, answers 404", async () => {
      expectError(await api.delete('/posts/1', author), 404);
      const post = await api.createPost(author, 'short-lived');
      await api.delete(`/posts/${post.id}`, author);
      expectError(await api.delete(`/posts/${post.id}`, stranger), 404);
    });

    it('counts a delete once when it races with itself', async () => {
      const post = await api.createPost(author, 'raced delete');
      const before = await postsCount(author);
      const results = await Promise.all(Array.from({ length: 5 }, () => api.delete(`/posts/${post.id}`, author)));
      expect(results.map((r) => r.status).sort()).toEqual([204, 404, 404, 404, 404]);
      expect(await postsCount(author)).toBe(before - 1);
    });
  });

  describe('GET /users/:username/posts', () => {
    let author: TestUser;
    let viewer: TestUser;
    let created: string[];

    beforeAll(async () => {
      author = await api.register('Prolific');
      viewer = await api.register('posts_viewer');
      const noise = await api.register('noise_maker');
      created = [];
      for (let i = 0; i < 23; i++) {
        created.push((await api.createPost(author, `post number ${i}`)).id);
        if (i % 5 === 0) await api.createPost(noise, `noise ${i}`);
      }
    });

    it('lists only the author’s posts, newest first, 20 by default', async () => {
      const res = await api.get('/users/prolific/posts', viewer);
      expect(res.status).toBe(200);
      const page = expectPage(res.body);
      expect(page.items).toHaveLength(20);
      expect(page.nextCursor).toEqual(expect.any(String));
      page.items.forEach((p) => expectPost(p, { author: { id: author.id, username: 'Prolific', displayName: 'Prolific' } }));
      const ids = page.items.map((p) => (p as { id: string }).id);
      expect(ids).toEqual([...created].reverse().slice(0, 20));
      expect((page.items[0] as { text: string }).text).toBe('post number 22');
      expect([...ids].sort(byIdDesc)).toEqual(ids);
    });

    it('walks every page with limit and cursor, without duplicates or gaps', async () => {
      for (const limit of [1, 4, 10, 22, 23, 100]) {
        const ids: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const res = await api.get(`/users/Prolific/posts?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, viewer);
          expect(res.status).toBe(200);
          expect(res.body.items.length).toBe(res.body.nextCursor ? limit : 23 - ids.length);
          ids.push(...res.body.items.map((p: { id: string }) => p.id));
          cursor = res.body.nextCursor;
          pages++;
        } while (cursor);
        expect(pages).toBe(Math.ceil(23 / limit));
        expect(ids).toEqual([...created].reverse());
      }
    });

    it('leaves deleted posts out of the pages', async () => {
      await api.delete(`/posts/${created[22]}`, author);
      await api.delete(`/posts/${created[10]}`, author);
      const ids = await listed(author, viewer);
      expect(ids).toEqual([...created].reverse().filter((id) => id !== created[22] && id !== created[10]));
    });

    it('answers an empty page for a user without posts and 404 for an unknown user', async () => {
      expect((await api.get('/users/posts_viewer/posts', viewer)).body).toEqual({ items: [], nextCursor: null });
      expectError(await api.get('/users/nobody_at_all/posts', viewer), 404);
    });
  });
});
