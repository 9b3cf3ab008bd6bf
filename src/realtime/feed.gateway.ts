import { Logger, OnApplicationShutdown } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { Namespace, Socket } from 'socket.io';
import { AuthUser } from '../auth/current-user.decorator';
import { TokenService } from '../auth/token.service';
import { FEED_NAMESPACE, LiveEvent } from './live-feed.events';
import { LiveSession } from './live-session.service';
import { disconnectAtExpiry } from './token-expiry';

/** The connect_error of a user who already holds LIVE_MAX_SOCKETS sockets (API.md). */
const TOO_MANY_CONNECTIONS = 'too many connections';

type FeedSocket = Socket & { data: { user: AuthUser; expiresAt: number; cancelExpiry?: () => void } };

/**
 * The live feed. The token is checked in the handshake; a socket joins its own rooms on the
 * server side only, so nothing a client emits can reach another user's events.
 */
// CORS and the Origin check: RedisIoAdapter, from CORS_ORIGINS.
@WebSocketGateway({ namespace: FEED_NAMESPACE, maxHttpBufferSize: 16 * 1024 })
export class FeedGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnApplicationShutdown {
  private readonly logger = new Logger('FeedGateway');

  constructor(
    private readonly tokens: TokenService,
    private readonly session: LiveSession,
  ) {}

  afterInit(namespace: Namespace): void {
    namespace.use((socket, next) => {
      this.tokens
        .verifyWithExpiry(socket.handshake.auth?.token)
        .then((token) => {
          if (!token) return next(new Error('unauthorized'));
          socket.data.user = token.user;
          socket.data.expiresAt = token.expiresAt;
          return this.session.admit(token.user.id, socket.id).then((admitted) => next(admitted ? undefined : new Error(TOO_MANY_CONNECTIONS)));
        })
        .catch(() => next(new Error('unauthorized')));
    });
    this.session.start();
  }

  async handleConnection(socket: FeedSocket): Promise<void> {
    socket.data.cancelExpiry = disconnectAtExpiry(socket, socket.data.expiresAt);
    const rooms = await this.session.open(socket.data.user.id);
    await socket.join(rooms);
  }

  handleDisconnect(socket: FeedSocket): void {
    socket.data.cancelExpiry?.();
    this.session.release(socket.id);
    if (socket.data.user) this.session.close(socket.data.user.id);
  }

  @SubscribeMessage(LiveEvent.Sync)
  sync(@ConnectedSocket() socket: FeedSocket, @MessageBody() body: unknown) {
    return this.session.sync(socket.data.user.id, body);
  }

  onApplicationShutdown(): void {
    this.session.stop();
  }
}
