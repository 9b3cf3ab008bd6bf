import { expectBadField, expectError } from './expect-error';
import { expectPage, expectPost } from './shapes';
import { ApiClient, eventually, TestUser } from './support/api-client';
import { TestEnv } from './support/test-env';

jest.setTimeout(60_000);

/** Replies and reposts as posts: their shapes, their endpoints, their bad input (API.md, version 2). */
describe('replies and reposts', () => {
  let env: TestEnv;
  let api: ApiClient;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;

  beforeAll(async () => {
    env = await TestEnv.create();
    const { url } = await env.startApp();
    api = new ApiClient(url);
    [alice, bob, carol] = [await api.register(), await api.register(), await api.register()];
  });

  afterAll(() => env.close());

  const author = (user: TestUser) => ({ id: user.id, username: user.username });
  const reply = async (user: TestUser, to: string, text = 'a reply') => api.post('/posts', user).send({ text, replyToId: to });
  const repost = (user: TestUser, id: string) => api.post(`/posts/${id}/repost`, user);

  describe('replies', () => {
    it('answers a reply with replyTo naming the post and its author, and a plain post with null fields', async () => {
      const original = await api.createPost(alice, 'a question');
      expectPost(original, { replyTo: null, repostOf: null });
      const res = await reply(bob, original.id, 'an answer');
      expect(res.status).toBe(201);
      expectPost(res.body, { text: 'an answer', repostOf: null, replyTo: { id: original.id, author: expect.objectContaining(author(alice)) } });
      // The same shape wherever the post is read.
      expect((await api.get(`/posts/${res.body.id}`, carol)).body).toEqual(res.body);
      const mine = (await api.get(`/users/${bob.username}/posts`, bob)).body.items;
      expect(mine[0]).toEqual(res.body);
    });

    it('lists the replies of a post oldest first, keyset paged, without deleted ones', async () => {
      const original = await api.createPost(alice, 'many answers');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await reply(i % 2 ? bob : carol, original.id, `answer ${i}`)).body.id);
      await api.createPost(bob, 'not a reply');
      expect((await api.delete(`/posts/${ids[2]}`, carol)).status).toBe(204);
      const live = ids.filter((_, i) => i !== 2);

      const first = expectPage((await api.get(`/posts/${original.id}/replies?limit=3`, carol)).body);
      first.items.forEach((item) => expectPost(item, { replyTo: expect.objectContaining({ id: original.id }) }));
      expect(first.items.map((p) => (p as { id: string }).id)).toEqual(live.slice(0, 3));
      const second = expectPage((await api.get(`/posts/${original.id}/replies?limit=3&cursor=${first.nextCursor}`, carol)).body);
      expect(second.items.map((p) => (p as { id: string }).id)).toEqual(live.slice(3));
      expect(second.nextCursor).toBeNull();
    });

    it('keeps replies, still naming the post, when the post replied to is deleted', async () => {
      const original = await api.createPost(alice, 'soon deleted');
      const answer = (await reply(bob, original.id)).body;
      expect((await api.delete(`/posts/${original.id}`, alice)).status).toBe(204);
      const res = await api.get(`/posts/${answer.id}`, carol);
      expect(res.status).toBe(200);
      expect(res.body.replyTo).toEqual({ id: original.id, author: expect.objectContaining(author(alice)) });
      expectError(await api.get(`/posts/${original.id}/replies`, carol), 404);
    });

    it('answers 404 to a reply to an unknown or deleted post, and stores nothing', async () => {
      const gone = await api.createPost(alice, 'gone');
      await api.delete(`/posts/${gone.id}`, alice);
      const before = (await api.get('/users/me', carol)).body.postsCount;
      expectError(await reply(carol, gone.id), 404);
      expectError(await reply(carol, '999999999999'), 404);
      // A repeat with the same Idempotency-Key is not a replay of a failure: the key was not kept.
      const key = `k-${Date.now()}`;
      expectError(await api.post('/posts', carol).set('Idempotency-Key', key).send({ text: 'x', replyToId: gone.id }), 404);
      const target = await api.createPost(alice, 'here');
      const retried = await api.post('/posts', carol).set('Idempotency-Key', key).send({ text: 'x', replyToId: target.id });
      expect(retried.status).toBe(201);
      expect(retried.headers['idempotent-replayed']).toBeUndefined();
      expect((await api.get('/users/me', carol)).body.postsCount).toBe(before + 1);
    });

    it('refuses a replyToId of the wrong type or form with 400, naming it', async () => {
      const target = await api.createPost(alice, 'target');
      for (const bad of [Number(target.id), '', 'abc', '-1', '0', '1.5', { id: target.id }, [target.id], '99999999999999999999']) {
        expectBadField(await api.post('/posts', carol).send({ text: 'x', replyToId: bad }), 'replyToId');
      }
      expectError(await api.post('/posts', carol).send({ text: 'x', replyToId: target.id, repostOf: target.id }), 400, 'repostOf');
      // null says "not a reply", like leaving the field out.
      const plain = await api.post('/posts', carol).send({ text: 'x', replyToId: null });
      expect(plain.status).toBe(201);
      expect(plain.body.replyTo).toBeNull();
      expectError(await api.get('/posts/abc/replies', carol), 400);
      expectError(await api.get(`/posts/${target.id}/replies?limit=0`, carol), 400);
      expectError(await api.get(`/posts/${target.id}/replies?cursor=nope!`, carol), 400);
    });
  });

  describe('reposts', () => {
    it('answers a repost as a post of the reposter with no text, the original in repostOf', async () => {
      const original = await api.createPost(alice, 'worth sharing');
      const res = await repost(bob, original.id);
      expect(res.status).toBe(201);
      expectPost(res.body, { text: '', replyTo: null, author: expect.objectContaining(author(bob)) });
      expect(res.body.repostOf).toEqual(original);
      expect((await api.get(`/posts/${res.body.id}`, carol)).body).toEqual(res.body);
      expect((await api.get(`/users/${bob.username}/posts`, carol)).body.items[0]).toEqual(res.body);
    });

    it('is idempotent: a repeat answers 200 with the same repost, and concurrent ones store one', async () => {
      const original = await api.createPost(alice, 'once');
      const first = await repost(bob, original.id);
      const again = await repost(bob, original.id);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);

      const other = await api.createPost(alice, 'at once');
      const before = (await api.get('/users/me', carol)).body.postsCount;
      const answers = await Promise.all([1, 2, 3, 4].map(() => repost(carol, other.id)));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 201]);
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
      expect((await api.get('/users/me', carol)).body.postsCount).toBe(before + 1);
    });

    it('reposts the original when asked to repost a repost', async () => {
      const original = await api.createPost(alice, 'the source');
      const first = (await repost(bob, original.id)).body;
      const second = await repost(carol, first.id);
      expect(second.status).toBe(201);
      expect(second.body.repostOf).toEqual(original);
      // Reposting your repost's original through someone else's repost finds your own.
      const again = await repost(bob, second.body.id);
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(first.id);
    });

    it('reposts a reply with its replyTo inside repostOf', async () => {
      const original = await api.createPost(alice, 'q');
      const answer = (await reply(bob, original.id, 'a')).body;
      const res = await repost(carol, answer.id);
      expect(res.body.repostOf).toEqual(answer);
      expect(res.body.replyTo).toBeNull();
    });

    it('undoes a repost with DELETE on the original, idempotently', async () => {
      const original = await api.createPost(alice, 'undo me');
      const mine = (await repost(bob, original.id)).body;
      expect((await api.delete(`/posts/${original.id}/repost`, bob)).status).toBe(204);
      expectError(await api.get(`/posts/${mine.id}`, bob), 404);
      expect((await api.delete(`/posts/${original.id}/repost`, bob)).status).toBe(204);
      expect((await api.delete(`/posts/${original.id}/repost`, carol)).status).toBe(204);
      // Reposting again makes a new repost.
      const again = await repost(bob, original.id);
      expect(again.status).toBe(201);
      expect(again.body.id).not.toBe(mine.id);
    });

    it('takes the reposts with a deleted original (rule 3), and counts them out', async () => {
      const original = await api.createPost(alice, 'short-lived');
      const r1 = (await repost(bob, original.id)).body;
      const r2 = (await repost(carol, original.id)).body;
      const before = (await api.get('/users/me', bob)).body.postsCount;
      expect((await api.delete(`/posts/${original.id}`, alice)).status).toBe(204);
      for (const r of [r1, r2]) expectError(await api.get(`/posts/${r.id}`, alice), 404);
      expect((await api.get('/users/me', bob)).body.postsCount).toBe(before - 1);
      await eventually(async () => expect(await api.homeIds(bob)).not.toContain(r1.id));
    });

    it('answers 404 to a repost of an unknown or deleted post, and to undoing one of an unknown post', async () => {
      const gone = await api.createPost(alice, 'gone');
      await api.delete(`/posts/${gone.id}`, alice);
      expectError(await repost(bob, gone.id), 404);
      expectError(await repost(bob, '999999999999'), 404);
      expectError(await api.delete('/posts/999999999999/repost', bob), 404);
      // Undoing a repost of a deleted post: nothing is left to undo.
      expect((await api.delete(`/posts/${gone.id}/repost`, bob)).status).toBe(204);
      expectError(await repost(bob, 'abc'), 400);
      expectError(await api.delete('/posts/abc/repost', bob), 400);
    });

    it('lets only the reposter delete a repost as a post', async () => {
      const original = await api.createPost(alice, 'mine');
      const r = (await repost(bob, original.id)).body;
      expectError(await api.delete(`/posts/${r.id}`, alice), 403);
      expect((await api.delete(`/posts/${r.id}`, bob)).status).toBe(204);
      expect((await api.get(`/posts/${original.id}`, bob)).status).toBe(200);
    });

    it('needs a token', async () => {
      const original = await api.createPost(alice, 'auth');
      expectError(await api.post(`/posts/${original.id}/repost`), 401);
      expectError(await api.delete(`/posts/${original.id}/repost`), 401);
      expectError(await api.get(`/posts/${original.id}/replies`), 401);
    });
  });
});
