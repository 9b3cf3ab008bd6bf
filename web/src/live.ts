import type { Socket } from 'socket.io-client';
import type { Post } from './types.js';

/**
 * The Socket.IO client this server serves itself (same origin, same version as the server),
 * typed by the socket.io-client package. Loaded by URL, so no bundler is needed.
 */
const SOCKET_IO_CLIENT: string = '/socket.io/socket.io.esm.min.js';
const SYNC_TIMEOUT_MS = 10_000;
/** After "too many connections", try again this much later. */
const RETRY_WHEN_FULL_MS = 30_000;

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'too many windows' | 'signed out';

export interface LiveHandlers {
  state(state: ConnectionState): void;
  /** Every (re)connection: the page fills the gap since its newest post. */
  connected(): void;
  post(post: Post): void;
  deleted(id: string): void;
  /** The token was refused: expired, or no longer valid. */
  unauthorized(): void;
}

export interface SyncAnswer {
  items: Post[];
  /** Version 2: more posts than `items` are newer than `since`. */
  hasMore?: boolean;
}

/** The live feed: `/feed` on this origin, reconnecting by itself, its state always known. */
export class LiveFeed {
  private closed = false;
  private retryTimer: number | undefined;

  private constructor(private readonly socket: Socket, handlers: LiveHandlers) {
    socket.on('connect', () => {
      handlers.state('live');
      handlers.connected();
    });
    socket.on('disconnect', (reason) => {
      if (this.closed) return;
      handlers.state('reconnecting');
      // A disconnect by the server (its token expired, say) is not retried by Socket.IO itself:
      // try once more, and a refused token then ends the session.
      if (reason === 'io server disconnect') socket.connect();
    });
    socket.on('connect_error', (error) => {
      if (this.closed) return;
      if (error.message === 'unauthorized') {
        handlers.state('signed out');
        handlers.unauthorized();
      } else if (error.message === 'too many connections') {
        handlers.state('too many windows');
        this.retryTimer = window.setTimeout(() => socket.connect(), RETRY_WHEN_FULL_MS);
      } else {
        handlers.state('reconnecting');
      }
    });
    socket.on('timeline:post', (post: Post) => handlers.post(post));
    socket.on('timeline:delete', (body: { id: string }) => handlers.deleted(body.id));
  }

  static async open(token: string, handlers: LiveHandlers): Promise<LiveFeed> {
    handlers.state('connecting');
    const { io } = (await import(SOCKET_IO_CLIENT)) as typeof import('socket.io-client');
    // WebSocket only: API nodes behind a load balancer then need no sticky sessions.
    const socket = io('/feed', { auth: { token }, transports: ['websocket'], reconnectionDelayMax: 5_000 });
    return new LiveFeed(socket, handlers);
  }

  /** The posts newer than `since` that the page missed while disconnected, newest first. */
  async sync(since: string): Promise<SyncAnswer> {
    const answer = (await this.socket.timeout(SYNC_TIMEOUT_MS).emitWithAck('timeline:sync', { since })) as SyncAnswer | { error: string };
    if ('error' in answer) throw new Error(answer.error);
    return answer;
  }

  close(): void {
    this.closed = true;
    window.clearTimeout(this.retryTimer);
    this.socket.close();
  }
}
