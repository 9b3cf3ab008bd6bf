import type { FanoutStatus, Page, Post, Session, User } from './types.js';

/** An answer of the API that is not a success, with what the page needs to explain it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** From Retry-After, on 429 (and any other answer that carries it). */
    readonly retryAfterSeconds: number | null,
    /** A 401 to a request made with the session's token: the session is over. */
    readonly sessionEnded = false,
  ) {
    super(message);
  }
}

/** The request never got an answer: the network or the server is away. */
export class NetworkError extends Error {}

interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent with the token; a 401 then means the session is over. */
  authenticated?: boolean;
}

/** The REST API, same origin, with the session's token. */
export class Api {
  /** Told when an authenticated request answers 401: the token expired or is no longer valid. */
  onSessionEnded: (error: ApiError) => void = () => undefined;
  private token: string | null = null;

  setToken(token: string | null): void {
    this.token = token;
  }

  register(username: string, password: string, displayName?: string): Promise<Session> {
    return this.request('POST', '/auth/register', { body: { username, password, displayName }, authenticated: false });
  }

  login(username: string, password: string): Promise<Session> {
    return this.request('POST', '/auth/login', { body: { username, password }, authenticated: false });
  }

  me(): Promise<User> {
    return this.request('GET', '/users/me');
  }

  home(query: { cursor?: string; since?: string; limit?: number } = {}): Promise<Page<Post>> {
    return this.request('GET', `/timelines/home${queryString({ limit: 20, ...query })}`);
  }

  postsOf(username: string, limit = 20): Promise<Page<Post>> {
    return this.request('GET', `/users/${encodeURIComponent(username)}/posts${queryString({ limit })}`);
  }

  following(username: string, cursor?: string): Promise<Page<User>> {
    return this.request('GET', `/users/${encodeURIComponent(username)}/following${queryString({ limit: 100, cursor })}`);
  }

  createPost(text: string, idempotencyKey: string, replyToId?: string): Promise<Post> {
    const body = replyToId === undefined ? { text } : { text, replyToId };
    return this.request('POST', '/posts', { body, headers: { 'Idempotency-Key': idempotencyKey } });
  }

  post(id: string): Promise<Post> {
    return this.request('GET', `/posts/${id}`);
  }

  deletePost(id: string): Promise<void> {
    return this.request('DELETE', `/posts/${id}`);
  }

  fanout(id: string): Promise<FanoutStatus> {
    return this.request('GET', `/posts/${id}/fanout`);
  }

  follow(username: string, options: { reposts?: boolean } = {}): Promise<{ following: boolean }> {
    const body = options.reposts === undefined ? undefined : { reposts: options.reposts };
    return this.request('POST', `/users/${encodeURIComponent(username)}/follow`, { body });
  }

  unfollow(username: string): Promise<{ following: boolean }> {
    return this.request('DELETE', `/users/${encodeURIComponent(username)}/follow`);
  }

  // Version 2: replies, reposts, blocks and mutes.

  replies(postId: string, cursor?: string): Promise<Page<Post>> {
    return this.request('GET', `/posts/${postId}/replies${queryString({ limit: 20, cursor })}`);
  }

  repost(postId: string): Promise<Post> {
    return this.request('POST', `/posts/${postId}/repost`);
  }

  undoRepost(originalId: string): Promise<void> {
    return this.request('DELETE', `/posts/${originalId}/repost`);
  }

  setRelation(kind: Relation, username: string, on: boolean): Promise<unknown> {
    return this.request(on ? 'POST' : 'DELETE', `/users/${encodeURIComponent(username)}/${kind}`);
  }

  relations(kind: Relation, cursor?: string): Promise<Page<User>> {
    return this.request('GET', `/users/me/${kind}s${queryString({ limit: 100, cursor })}`);
  }

  private async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const { body, authenticated = true } = options;
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (authenticated && this.token) headers.Authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new NetworkError('the server could not be reached');
    }
    if (response.status === 204) return undefined as T;
    const data: unknown = await response.json().catch(() => null);
    if (response.ok) return data as T;
    const sessionEnded = response.status === 401 && authenticated;
    const error = new ApiError(response.status, messageOf(data, response.statusText), retryAfter(response.headers.get('Retry-After')), sessionEnded);
    if (sessionEnded) this.onSessionEnded(error);
    throw error;
  }
}

export type Relation = 'block' | 'mute';

function queryString(params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, String(value));
  const text = query.toString();
  return text ? `?${text}` : '';
}

/** The API's `message` (a string, or a list of them for several invalid fields). */
function messageOf(data: unknown, fallback: string): string {
  const message = (data as { message?: unknown } | null)?.message;
  if (typeof message === 'string' && message) return message;
  if (Array.isArray(message) && message.length > 0) return message.map(String).join('; ');
  return fallback || 'the request failed';
}

function retryAfter(header: string | null): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}
