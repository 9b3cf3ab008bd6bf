import { io, Socket } from 'socket.io-client';

export interface LivePost {
  id: string;
  text: string;
  createdAt: string;
  author: { id: string; username: string; displayName: string };
}

/** A live-feed client that records what it receives. */
export class LiveClient {
  readonly posts: LivePost[] = [];
  readonly deletes: string[] = [];
  readonly events: { name: string; args: unknown[] }[] = [];

  private constructor(readonly socket: Socket) {
    socket.onAny((name: string, ...args: unknown[]) => this.events.push({ name, args }));
    socket.on('timeline:post', (post: LivePost) => this.posts.push(post));
    socket.on('timeline:delete', (body: { id: string }) => this.deletes.push(body.id));
  }

  /** Connects to the live feed (or, to test refusals, to another namespace). */
  static connect(baseUrl: string, token: unknown, namespace = '/feed'): Promise<LiveClient> {
    const socket = io(`${baseUrl}${namespace}`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('connect timed out')), 10_000);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new LiveClient(socket));
      });
      socket.once('connect_error', (err) => {
        clearTimeout(timer);
        socket.close();
        reject(err);
      });
    });
  }

  sync(since: unknown): Promise<unknown> {
    return this.socket.timeout(10_000).emitWithAck('timeline:sync', { since });
  }

  close(): void {
    this.socket.close();
  }
}
