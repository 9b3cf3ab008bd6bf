import request from 'supertest';
import { expectError } from './expect-error';
import { expectUser } from './shapes';
import { ApiClient, TestUser } from './support/api-client';
import { TestEnv } from './support/test-env';

describe('users: me and profiles', () => {
  let env: TestEnv;
  let api: ApiClient;
  let url: string;

  beforeAll(async () => {
    env = await TestEnv.create();
    ({ url } = await env.startApp());
    api = new ApiClient(url);
  });

  afterAll(() => env.close());

  describe('GET /users/me', () => {
    it('answers the caller as a User, the same as registration did', async () => {
      const res = await request(url)
        .post('/auth/register')
        .send({ username: 'Me_Myself', password: 'password123', displayName: 'Me, myself' });
      const res2 = await request(url).get('/users/me').set('Authorization', `Bearer ${res.body.accessToken}`);
      expect(res2.status).toBe(200);
      expectUser(res2.body, {
        id: res.body.user.id,
        username: 'Me_Myself',
        displayName: 'Me, myself',
        createdAt: res.body.user.createdAt,
        followersCount: 0,
        followingCount: 0,
        postsCount: 0,
      });
      expect(res2.body).toEqual(res.body.user);
    });

    it('is each caller their own', async () => {
      const a = await api.register('me_a');
      const b = await api.register('me_b');
      expect((await api.get('/users/me', a)).body.id).toBe(a.id);
      expect((await api.get('/users/me', b)).body.id).toBe(b.id);
      expect(a.id).not.toBe(b.id);
    });
  });

  describe('GET /users/:username', () => {
    let reader: TestUser;
    let target: TestUser;

    beforeAll(async () => {
      reader = await api.register('profile_reader');
      target = await api.register('Profile_Target');
    });

    it('answers the user as a User', async () => {
      const res = await api.get('/users/Profile_Target', reader);
      expect(res.status).toBe(200);
      expectUser(res.body, { id: target.id, username: 'Profile_Target', displayName: 'Profile_Target' });
      expect(res.body).toEqual((await api.get('/users/me', target)).body);
    });

    it('finds the user in any letter case, and answers the stored spelling', async () => {
      for (const spelling of ['profile_target', 'PROFILE_TARGET', 'pROFILE_tARGET']) {
        const res = await api.get(`/users/${spelling}`, reader);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ id: target.id, username: 'Profile_Target' });
      }
    });

    it('answers 404 for an unknown user, and 400 with the username rule for names no user can have', async () => {
      for (const name of ['no_such_user', 'Profile_Targe', 'Profile_Target_']) {
        expectError(await api.get(`/users/${name}`, reader), 404, `user "${name}" not found`);
      }
      for (const name of ['x'.repeat(31), 'ab', 'has-dash', '%C3%A9mile', '%20Profile_Target']) {
        const text = expectError(await api.get(`/users/${name}`, reader), 400, 'username must be 3 to 30 letters, digits or underscores');
        expect(text).not.toContain(decodeURIComponent(name));
      }
    });

    it('shows the counts as follows and posts change them', async () => {
      const fan = await api.register('counting_fan');
      const star = await api.register('counting_star');
      await api.follow(fan, star);
      await api.createPost(star, 'one');
      await api.createPost(star, 'two');
      expect((await api.get('/users/counting_star', reader)).body).toMatchObject({
        followersCount: 1,
        followingCount: 0,
        postsCount: 2,
      });
      expect((await api.get('/users/counting_fan', reader)).body).toMatchObject({
        followersCount: 0,
        followingCount: 1,
        postsCount: 0,
      });
      expect((await api.get('/users/me', star)).body).toMatchObject({ followersCount: 1, postsCount: 2 });
    });
  });
});
