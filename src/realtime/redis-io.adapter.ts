import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server, ServerOptions } from 'socket.io';
import { AppConfig } from '../config/app-config';
import { quitQuietly, RedisClient, redisOptions } from '../redis/redis-client';
import { RedisKeys } from '../redis/redis-keys';

/**
 * Socket.IO across API nodes through Redis pub/sub. The classic adapter, not the sharded one:
 * the sharded adapter needs the `redis` client (ioredis cannot run it, ioredis#1759) and the
 * worker's @socket.io/redis-emitter speaks the classic channels.
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly pub: RedisClient;
  private readonly sub: RedisClient;
  private readonly channel: string;

  constructor(app: INestApplicationContext) {
    super(app);
    const config = app.get(AppConfig);
    // The adapter's clients wait for Redis rather than fail: pub/sub must survive a reconnect.
    const options = redisOptions({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
    this.pub = new RedisClient(config.redisUrl, { ...options, connectionName: 'feed-io-pub' });
    this.sub = new RedisClient(config.redisUrl, { ...options, connectionName: 'feed-io-sub' });
    for (const client of [this.pub, this.sub]) client.on('error', () => undefined);
    this.channel = app.get(RedisKeys).socketChannel();
  }

  createIOServer(port: number, options?: ServerOptions): Server {
    const server: Server = super.createIOServer(port, options);
    server.adapter(createAdapter(this.pub, this.sub, { key: this.channel }));
    return server;
  }

  async dispose(): Promise<void> {
    await super.dispose();
    await Promise.all([quitQuietly(this.pub), quitQuietly(this.sub)]);
  }
}
