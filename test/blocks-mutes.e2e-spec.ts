import { Client } from 'pg';
import { expectBadField, expectError } from './expect-error';
import { expectPage, expectUser } from './shapes';
import { ApiClient, TestUser } from './support/api-client';
import { TestEnv } from './support/test-env';

describe('blocks and mutes: the endpoints', () => {
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

  const counts = async (user: TestUser) => {
    const res = await api.get(`/users/${user.username}`, user);
    return { followers: res.body.followersCount as number, following: res.body.followingCount as number };
  };
  const follows = async (a: TestUser, b: TestUser) =>
    (await sql.query('SELECT 1 FROM follows WHERE follower_id = $1 AND followee_id = $2', [a.id, b.id])).rowCount === 1;
  const listed = async (path: string, user: TestUser) => {
    const res = await api.get(path, user);
    expect(res.status).toBe(200);
    const page = expectPage(res.body);
    for (const item of page.items) expectUser(item);
    return page.items.map((u) => (u as { username: string }).username);
  };

  describe.each([
    ['block', 'blocking', '/users/me/blocks'],
    ['mute', 'muting', '/users/me/mutes'],
  ])('POST and DELETE /users/:username/%s', (verb, field, listPath) => {
    let me: TestUser;
    let other: TestUser;

    beforeAll(async () => {
      me = await api.register(`${verb}_me`);
      other = await api.register(`${verb}_Other`);
    });

    it(`answers 200 { ${field}: true } in any letter case, idempotently, and lists the user once`, async () => {
      for (const name of [other.username, other.username.toLowerCase(), other.username.toUpperCase()]) {
        const res = await api.post(`/users/${name}/${verb}`, me);
        expect([res.status, res.body]).toEqual([200, { [field]: true }]);
      }
      expect(await listed(listPath, me)).toEqual([other.username]);
      expect(await listed(listPath, other)).toEqual([]);
    });

    it(`answers 200 { ${field}: false } on DELETE, idempotently, and leaves the list`, async () => {
      for (let i = 0; i < 2; i++) {
        const res = await api.delete(`/users/${other.username}/${verb}`, me);
        expect([res.status, res.body]).toEqual([200, { [field]: false }]);
      }
      expect(await listed(listPath, me)).toEqual([]);
    });

    it('refuses yourself with 400, in any letter case, an unknown user with 404 and a malformed one with 400', async () => {
      expectError(await api.post(`/users/${me.username}/${verb}`, me), 400, /yourself/);
      expectError(await api.post(`/users/${me.username.toUpperCase()}/${verb}`, me), 400, /yourself/);
      expectError(await api.delete(`/users/${me.username}/${verb}`, me), 400, /yourself/);
      expectError(await api.post(`/users/nobody_here/${verb}`, me), 404);
      expectError(await api.delete(`/users/nobody_here/${verb}`, me), 404);
      expectError(await api.post(`/users/x/${verb}`, me), 400, 'username must be');
      expect(await listed(listPath, me)).toEqual([]);
    });

    it('needs a token', async () => {
      expectError(await api.post(`/users/${other.username}/${verb}`), 401);
      expectError(await api.get(listPath), 401);
    });

    it('refuses a body that is not JSON, any field in a body (it takes none), and a malformed cursor or limit on the list', async () => {
      expectError(await api.post(`/users/${other.username}/${verb}`, me).type('form').send('a=1'), 415);
      expectBadField(await api.post(`/users/${other.username}/${verb}`, me).send({ reason: 'spam' }), 'reason');
      expectBadField(await api.delete(`/users/${other.username}/${verb}`, me).send({ [field]: false }), field);
      expectError(await api.post(`/users/${other.username}/${verb}`, me).send([1]), 400);
      expectError(await api.post(`/users/${other.username}/${verb}`, me).send('"x"').type('json'), 400);
      expect(await listed(listPath, me)).toEqual([]);
      expect((await api.post(`/users/${other.username}/${verb}`, me).send({})).body).toEqual({ [field]: true });
      expect((await api.delete(`/users/${other.username}/${verb}`, me).send({})).body).toEqual({ [field]: false });
      expectError(await api.get(`${listPath}?cursor=nope!`, me), 400);
      expectBadField(await api.get(`${listPath}?limit=0`, me), 'limit');
      expectBadField(await api.get(`${listPath}?limit=abc`, me), 'limit');
      expectBadField(await api.get(`${listPath}?colour=red`, me), 'colour');
    });

    it('pages the list newest first with a cursor', async () => {
      const targets = [];
      for (let i = 0; i < 3; i++) targets.push(await api.register(`${verb}_t${i}`));
      for (const t of targets) expect((await api.post(`/users/${t.username}/${verb}`, me)).status).toBe(200);
      const first = await api.get(`${listPath}?limit=2`, me);
      expect(first.body.items.map((u: TestUser) => u.username)).toEqual([targets[2].username, targets[1].username]);
      const second = await api.get(`${listPath}?limit=2&cursor=${first.body.nextCursor}`, me);
      expect(second.body.items.map((u: TestUser) => u.username)).toEqual([targets[0].username]);
      expect(second.body.nextCursor).toBeNull();
    });
  });

  describe('a block', () => {
    it('removes the follows both ways in one transaction, with the counts', async () => {
      const a = await api.register('blk_both_a');
      const b = await api.register('blk_both_b');
      await api.follow(a, b);
      await api.follow(b, a);
      expect(await counts(a)).toEqual({ followers: 1, following: 1 });
      expect((await api.post(`/users/${b.username}/block`, a)).body).toEqual({ blocking: true });
      expect(await follows(a, b)).toBe(false);
      expect(await follows(b, a)).toBe(false);
      expect(await counts(a)).toEqual({ followers: 0, following: 0 });
      expect(await counts(b)).toEqual({ followers: 0, following: 0 });
    });

    it('refuses a follow either way with 403 while it stands, and allows it again after the unblock', async () => {
      const a = await api.register('blk_f_a');
      const b = await api.register('blk_f_b');
      await api.post(`/users/${b.username}/block`, a);
      expectError(await api.post(`/users/${b.username}/follow`, a), 403, /block/);
      expectError(await api.post(`/users/${a.username}/follow`, b), 403, /block/);
      expect(await follows(a, b)).toBe(false);
      expect(await follows(b, a)).toBe(false);
      await api.delete(`/users/${b.username}/block`, a);
      expect((await api.post(`/users/${a.username}/follow`, b)).body).toEqual({ following: true, reposts: true });
    });

    it("answers 403 to the blocked user's read of the blocker's posts, not the other way", async () => {
      const a = await api.register('blk_p_a');
      const b = await api.register('blk_p_b');
      await api.createPost(a, 'by the blocker');
      await api.createPost(b, 'by the blocked');
      await api.post(`/users/${b.username}/block`, a);
      expectError(await api.get(`/users/${a.username}/posts`, b), 403, /block/);
      expect((await api.get(`/users/${b.username}/posts`, a)).status).toBe(200);
      expect((await api.get(`/users/${a.username}/posts`, a)).status).toBe(200);
    });

    it('keeps its answer when blocks race with follows: never a block and a follow between the same two', async () => {
      const a = await api.register('blk_race_a');
      const b = await api.register('blk_race_b');
      await Promise.all([
        api.post(`/users/${b.username}/block`, a),
        ...Array.from({ length: 4 }, () => api.post(`/users/${a.username}/follow`, b)),
        ...Array.from({ length: 4 }, () => api.post(`/users/${b.username}/follow`, a)),
      ]);
      expect(await follows(a, b)).toBe(false);
      expect(await follows(b, a)).toBe(false);
      expect(await counts(a)).toEqual({ followers: 0, following: 0 });
      expect(await counts(b)).toEqual({ followers: 0, following: 0 });
    });
  });

  describe('the follow reposts flag', () => {
    it('defaults to true, is set by a follow with it, and is kept by a follow without it', async () => {
      const a = await api.register('rp_flag_a');
      const b = await api.register('rp_flag_b');
      expect((await api.post(`/users/${b.username}/follow`, a)).body).toEqual({ following: true, reposts: true });
      expect((await api.post(`/users/${b.username}/follow`, a).send({ reposts: false })).body).toEqual({ following: true, reposts: false });
      expect((await api.post(`/users/${b.username}/follow`, a)).body).toEqual({ following: true, reposts: false });
      expect((await api.post(`/users/${b.username}/follow`, a).send({})).body).toEqual({ following: true, reposts: false });
      expect((await api.post(`/users/${b.username}/follow`, a).send({ reposts: true })).body).toEqual({ following: true, reposts: true });
      expect(await counts(b)).toEqual({ followers: 1, following: 0 });
      const c = await api.register('rp_flag_c');
      expect((await api.post(`/users/${c.username}/follow`, a).send({ reposts: false })).body).toEqual({ following: true, reposts: false });
      const { rows } = await sql.query('SELECT reposts FROM follows WHERE follower_id = $1 AND followee_id = $2', [a.id, c.id]);
      expect(rows).toEqual([{ reposts: false }]);
    });

    it('refuses a wrong type or an unknown field with 400, changing nothing', async () => {
      const a = await api.register('rp_bad_a');
      const b = await api.register('rp_bad_b');
      for (const body of [{ reposts: 'false' }, { reposts: 0 }, { reposts: null }, { reposts: [] }]) {
        expectBadField(await api.post(`/users/${b.username}/follow`, a).send(body), 'reposts');
      }
      expectBadField(await api.post(`/users/${b.username}/follow`, a).send({ reposts: true, colour: 'red' }), 'colour');
      expectError(await api.post(`/users/${b.username}/follow`, a).send([true]), 400);
      expect(await follows(a, b)).toBe(false);
    });
  });
});
