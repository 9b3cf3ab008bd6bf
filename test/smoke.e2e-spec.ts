import { ApiClient, eventually } from './support/api-client';
import { TestEnv } from './support/test-env';

describe('smoke: post, follow, fan-out', () => {
  let env: TestEnv;
  let api: ApiClient;

  beforeAll(async () => {
    env = await TestEnv.create();
    const { url } = await env.startApp();
    api = new ApiClient(url);
  });

  afterAll(() => env.close());

  it('delivers a post to a follower timeline in the background', async () => {
    const alice = await api.register();
    const bob = await api.register();
    await api.follow(bob, alice);
    const post = await api.createPost(alice, '  hello world  ');
    expect(post.text).toBe('hello world');
    expect(await api.homeIds(alice)).toEqual([post.id]);
    await eventually(async () => expect(await api.homeIds(bob)).toEqual([post.id]));
  });
});
