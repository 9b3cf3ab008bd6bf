import { Client } from 'pg';
import { expectError } from './expect-error';
import { expectPage, expectUser } from './shapes';
import { ApiClient, TestUser } from './support/api-client';
import { seedFollowers } from './support/seed';
import { TestEnv } from './support/test-env';

describe('follows: follow, unfollow, followers and following pages', () => {
  let env: TestEnv;
  let api: ApiClient;
  let sql: Client;

  beforeAll(async () => {
    env = await TestEnv.create();
    const { url } = await env.startApp();
    api = new ApiClient(url);
    sql = await env.sql();
  });

  afterAll(() => env.close());

  const counts = async (user: TestUser, viewer: TestUser) => {
    const res = await api.get(`/users/${user.username}`, viewer);
    expect(res.status).toBe(200);
    return { followers: res.body.followersCount as number, following: res.body.followingCount as number };
  };

  /** Follows every page of a list and returns the usernames in order, checking each page on the way. */
  const walk = async (path: string, viewer: TestUser, limit?: number): Promise<{ names: string[]; pages: number }> => {
    const names: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query = new URLSearchParams();
      if (limit !== undefined) query.set('limit', String(limit));
      if (cursor) query.set('cursor', cursor);
      const res = await api.get(`${path}?${query}`, viewer);
      expect(res.status).toBe(200);
      const page = expectPage(res.body);
      if (page.nextCursor !== null) expect(page.items).toHaveLength(limit ?? 20);
      for (const item of page.items) {
        expectUser(item);
        names.push((item as { username: string }).username);
      }
      cursor = page.nextCursor;
      pages++;
      expect(pages).toBeLessThan(100);
    } while (cursor !== null);
    return { names, pages };
  };

  describe('POST and DELETE /users/:username/follow', () => {
    let alice: TestUser;
    let bob: TestUser;

    beforeAll(async () => {
      alice = await api.register('alice_f');
      bob = await api.register('Bob_F');
    });

    it('follows: 200 { following: true, reposts: true }, and a repeat answers the same and counts once', async () => {
      for (const name of ['Bob_F', 'Bob_F', 'bob_f', 'BOB_F']) {
        const res = await api.post(`/users/${name}/follow`, alice);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ following: true, reposts: true });
      }
      expect(await counts(bob, alice)).toEqual({ followers: 1, following: 0 });
      expect(await counts(alice, alice)).toEqual({ followers: 0, following: 1 });
      expect((await api.get('/users/Bob_F/followers', alice)).body.items.map((u: TestUser) => u.id)).toEqual([alice.id]);
    });

    it('unfollows: 200 { following: false }, and a repeat answers the same and counts once', async () => {
      for (const name of ['Bob_F', 'bob_f', 'Bob_F']) {
        const res = await api.delete(`/users/${name}/follow`, alice);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ following: false });
      }
      expect(await counts(bob, alice)).toEqual({ followers: 0, following: 0 });
      expect(await counts(alice, alice)).toEqual({ followers: 0, following: 0 });
      expect((await api.get('/users/Bob_F/followers', alice)).body).toEqual({ items: [], nextCursor: null });
    });

    it('unfollowing someone never followed answers { following: false } and leaves counts at 0', async () => {
      const res = await api.delete('/users/alice_f/follow', bob);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ following: false });
      expect(await counts(alice, bob)).toEqual({ followers: 0, following: 0 });
      expect(await counts(bob, bob)).toEqual({ followers: 0, following: 0 });
    });

    it('follows both ways independently', async () => {
      await api.follow(alice, bob);
      await api.follow(bob, alice);
      expect(await counts(alice, alice)).toEqual({ followers: 1, following: 1 });
      expect(await counts(bob, alice)).toEqual({ followers: 1, following: 1 });
      await api.delete('/users/Bob_F/follow', alice);
      expect(await counts(alice, alice)).toEqual({ followers: 1, following: 0 });
      expect(await counts(bob, alice)).toEqual({ followers: 0, following: 1 });
      await api.delete('/users/alice_f/follow', bob);
    });

    it('counts once when the same follow races with itself', async () => {
      const results = await Promise.all(Array.from({ length: 6 }, () => api.post('/users/Bob_F/follow', alice)));
      for (const res of results) expect([res.status, res.body]).toEqual([200, { following: true, reposts: true }]);
      expect(await counts(bob, alice)).toEqual({ followers: 1, following: 0 });
      const undo = await Promise.all(Array.from({ length: 6 }, () => api.delete('/users/Bob_F/follow', alice)));
      for (const res of undo) expect([res.status, res.body]).toEqual([200, { following: false }]);
      expect(await counts(bob, alice)).toEqual({ followers: 0, following: 0 });
      expect(await counts(alice, alice)).toEqual({ followers: 0, following: 0 });
    });

    it('refuses to follow yourself, in any letter case, with 400', async () => {
      expectError(await api.post('/users/alice_f/follow', alice), 400, /yourself/);
      expectError(await api.post('/users/ALICE_F/follow', alice), 400, /yourself/);
      expect(await counts(alice, alice)).toEqual({ followers: 0, following: 0 });
    });

    it('answers 404 to follow or unfollow an unknown user, 400 for a malformed one', async () => {
      expectError(await api.post('/users/ghost_user/follow', alice), 404);
      expectError(await api.delete('/users/ghost_user/follow', alice), 404);
      expectError(await api.post('/users/bad-name!/follow', alice), 400, 'username must be');
      expect(await counts(alice, alice)).toEqual({ followers: 0, following: 0 });
    });
  });

  describe('GET /users/:username/followers and /following', () => {
    let star: TestUser;
    let fans: TestUser[];
    let viewer: TestUser;

    beforeAll(async () => {
      star = await api.register('list_star');
      viewer = await api.register('list_viewer');
      fans = [];
      for (let i = 0; i < 7; i++) fans.push(await api.register(`list_fan_${i}`));
      // One at a time, so the order of follows is known: fan 0 first, fan 6 last.
      for (const fan of fans) await api.follow(fan, star);
    });

    it('pages followers newest follow first, with limit and nextCursor, no duplicates or gaps', async () => {
      const newestFirst = fans.map((f) => f.username).reverse();
      for (const limit of [1, 2, 3, 6, 7]) {
        const { names, pages } = await walk('/users/list_star/followers', viewer, limit);
        expect(names).toEqual(newestFirst);
        expect(pages).toBe(Math.ceil(7 / limit));
      }
      const all = await api.get('/users/list_star/followers?limit=100', viewer);
      expect(all.body.nextCursor).toBeNull();
      expect(all.body.items.map((u: TestUser) => u.username)).toEqual(newestFirst);
      expect(all.body.items[0]).toEqual((await api.get(`/users/${fans[6].username}`, viewer)).body);
    });

    it('answers the exact page sizes: limit items and a cursor, then the rest and null', async () => {
      const first = await api.get('/users/list_star/followers?limit=3', viewer);
      expect(first.body.items).toHaveLength(3);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await api.get(`/users/list_star/followers?limit=3&cursor=${first.body.nextCursor}`, viewer);
      expect(second.body.items).toHaveLength(3);
      const third = await api.get(`/users/list_star/followers?limit=3&cursor=${second.body.nextCursor}`, viewer);
      expect(third.body.items).toHaveLength(1);
      expect(third.body.nextCursor).toBeNull();
    });

    it('keeps a cursor stable while new follows arrive', async () => {
      const first = await api.get('/users/list_star/followers?limit=3', viewer);
      const latecomer = await api.register('list_latecomer');
      await api.follow(latecomer, star);
      const second = await api.get(`/users/list_star/followers?limit=3&cursor=${first.body.nextCursor}`, viewer);
      expect(second.body.items.map((u: TestUser) => u.username)).toEqual(['list_fan_3', 'list_fan_2', 'list_fan_1']);
      const top = await api.get('/users/list_star/followers?limit=1', viewer);
      expect(top.body.items[0].username).toBe('list_latecomer');
      await api.delete('/users/list_star/follow', latecomer);
    });

    it('moves a follower who unfollows and follows again to the top', async () => {
      await api.delete('/users/list_star/follow', fans[2]);
      let names = (await walk('/users/list_star/followers', viewer, 4)).names;
      expect(names).not.toContain('list_fan_2');
      expect(names).toHaveLength(6);
      await api.follow(fans[2], star);
      names = (await walk('/users/list_star/followers', viewer, 4)).names;
      expect(names).toEqual(['list_fan_2', 'list_fan_6', 'list_fan_5', 'list_fan_4', 'list_fan_3', 'list_fan_1', 'list_fan_0']);
    });

    it('pages following newest follow first', async () => {
      const stars: TestUser[] = [];
      for (let i = 0; i < 5; i++) stars.push(await api.register(`follow_target_${i}`));
      const fan = await api.register('busy_fan');
      for (const s of stars) await api.follow(fan, s);
      const { names } = await walk('/users/BUSY_FAN/following', viewer, 2);
      expect(names).toEqual(stars.map((s) => s.username).reverse());
      const res = await api.get('/users/busy_fan/following', viewer);
      expect(res.body.items).toHaveLength(5);
      expect(res.body.nextCursor).toBeNull();
      // The followees' counts are those of the User shape, fresh.
      expect(res.body.items[0]).toMatchObject({ username: 'follow_target_4', followersCount: 1 });
    });

    it('defaults to 20 a page and walks a longer list completely', async () => {
      const big = await api.register('big_list');
      const seeded = await seedFollowers(sql, big.id, 45);
      const first = await api.get('/users/big_list/followers', viewer);
      expect(first.status).toBe(200);
      expect(first.body.items).toHaveLength(20);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const { names, pages } = await walk('/users/big_list/followers', viewer);
      expect(pages).toBe(3);
      expect(new Set(names).size).toBe(45);
      const ids = (await api.get('/users/big_list/followers?limit=100', viewer)).body.items.map((u: TestUser) => u.id);
      expect(new Set(ids)).toEqual(new Set(seeded));
      expect(ids).toHaveLength(45);
    });

    it('answers an empty page for a user with no followers, and 404 for an unknown user', async () => {
      expect((await api.get('/users/list_viewer/followers', viewer)).body).toEqual({ items: [], nextCursor: null });
      expect((await api.get('/users/list_viewer/following', viewer)).body).toEqual({ items: [], nextCursor: null });
      expectError(await api.get('/users/ghost_user/followers', viewer), 404);
      expectError(await api.get('/users/ghost_user/following', viewer), 404);
    });
  });
});
