import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server, ServerOptions } from 'socket.io';
import { AppConfig } from '../config/app-config';
import { quitQuietly, RedisClient } from '../redis/redis-client';
import { RedisFactory } from '../redis/redis-factory';
import { RedisKeys } from '../redis/redis-keys';
import { isAllowedSocketOrigin, restCorsOptions } from '../security/cross-origin';

/** The connect_error of a client that connects to any namespace but /feed. */
export const UNKNOWN_NAMESPACE = 'unknown namespace: connect to /feed';

/**
 * Socket.IO across API nodes through Redis pub/sub, on one Redis or a cluster (RedisFactory). The
 * classic adapter, not the sharded one: the workers' @socket.io/redis-emitter speaks only the
 * classic channels, fan-out emits to many rooms would all land on the sharded adapter's one
 * namespace channel, and on a 3-master cluster the sharded one saved only Redis CPU (about 0.4 µs
 * a push), not delivery speed (bench/live-adapters.ts; README, "Live feed").
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly pub: RedisClient;
  private readonly sub: RedisClient;
  private readonly channel: string;
  private readonly origins: string[];

  constructor(app: INestApplicationContext) {
    super(app);
    this.origins = app.get(AppConfig).corsOrigins;
    const factory = app.get(RedisFactory);
    // The adapter's clients wait for Redis rather than fail: pub/sub must survive a reconnect.
    const options = { enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined };
    this.pub = factory.create('feed-io-pub', options);
    this.sub = factory.create('feed-io-sub', options);
    for (const client of [this.pub, this.sub]) client.on('error', () => undefined);
    this.channel = app.get(RedisKeys).socketChannel();
  }

  /** CORS_ORIGINS rules here as on REST: CORS headers for long-polling, and an Origin check for every handshake. */
  createIOServer(port: number, options?: ServerOptions): Server {
    const server: Server = super.createIOServer(port, {
      ...options,
      cors: this.origins.length > 0 ? restCorsOptions(this.origins) : undefined,
      allowRequest: (request, callback) => {
        const allowed = isAllowedSocketOrigin(request, this.origins);
        callback(allowed ? null : 'origin not allowed', allowed);
      },
    } as ServerOptions);
    server.adapter(createAdapter(this.pub, this.sub, { key: this.channel }));
    // Socket.IO always has the default namespace `/`; the only one this service serves is /feed,
    // behind its token check, so `/` lets no one in.
    server.use((_socket, next) => next(new Error(UNKNOWN_NAMESPACE)));
    return server;
  }

  async dispose(): Promise<void> {
    await super.dispose();
    await Promise.all([quitQuietly(this.pub), quitQuietly(this.sub)]);
  }
}
