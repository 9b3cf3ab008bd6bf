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

/** The connect_error of a user who already holds LIVE_MAX_SOCKETS sockets (API.md). */
const TOO_MANY_CONNECTIONS = 'too many connections';

type FeedSocket = Socket & { data: { user: AuthUser } };

/**
 * The live feed. The token is checked in the handshake; a socket joins its own rooms on the
 * server side only, so nothing a client emits can reach another user's events.
 */
@WebSocketGateway({ namespace: FEED_NAMESPACE, cors: { origin: true }, maxHttpBufferSize: 16 * 1024 })
export class FeedGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnApplicationShutdown {
  private readonly logger = new Logger('FeedGateway');

  constructor(
    private readonly tokens: TokenService,
    private readonly session: LiveSession,
  ) {}

  afterInit(namespace: Namespace): void {
    namespace.use((socket, next) => {
      this.tokens
        .verify(socket.handshake.auth?.token)
        .then((user) => {
          if (!user) return next(new Error('unauthorized'));
          socket.data.user = user;
          return this.session.admit(user.id, socket.id).then((admitted) => next(admitted ? undefined : new Error(TOO_MANY_CONNECTIONS)));
        })
        .catch(() => next(new Error('unauthorized')));
    });
    this.session.start();
  }

  async handleConnection(socket: FeedSocket): Promise<void> {
    const rooms = await this.session.open(socket.data.user.id);
    await socket.join(rooms);
  }

  handleDisconnect(socket: FeedSocket): void {
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
