import request from 'supertest';

export interface TestUser {
  id: string;
  username: string;
  token: string;
}

let counter = 0;

/** Short helpers over supertest for a running app. */
export class ApiClient {
  constructor(readonly url: string) {}

  async register(username = `user${process.pid % 1000}_${++counter}`, password = 'password123'): Promise<TestUser> {
    const res = await request(this.url).post('/auth/register').send({ username, password });
    if (res.status !== 201) throw new Error(`register ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.user.id, username, token: res.body.accessToken };
  }

  get(path: string, user?: TestUser) {
    return this.auth(request(this.url).get(path), user);
  }

  post(path: string, user?: TestUser) {
    return this.auth(request(this.url).post(path), user);
  }

  put(path: string, user?: TestUser) {
    return this.auth(request(this.url).put(path), user);
  }

  delete(path: string, user?: TestUser) {
    return this.auth(request(this.url).delete(path), user);
  }

  async createPost(user: TestUser, text: string): Promise<{ id: string; text: string; createdAt: string }> {
    const res = await this.post('/posts', user).send({ text });
    if (res.status !== 201) throw new Error(`post failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async follow(follower: TestUser, followee: TestUser): Promise<void> {
    const res = await this.post(`/users/${followee.username}/follow`, follower);
    if (res.status !== 200) throw new Error(`follow failed: ${res.status} ${JSON.stringify(res.body)}`);
  }

  async homeIds(user: TestUser, query = ''): Promise<string[]> {
    const res = await this.get(`/timelines/home${query}`, user);
    if (res.status !== 200) throw new Error(`home failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.items.map((p: { id: string }) => p.id);
  }

  private auth<T extends request.Test>(req: T, user?: TestUser): T {
    return user ? (req.set('Authorization', `Bearer ${user.token}`) as T) : req;
  }
}

/** Polls until the check passes or the time is up; bounded, so a broken feature fails, not hangs. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 15_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw lastError;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
