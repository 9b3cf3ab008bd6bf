import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server, ServerOptions } from 'socket.io';
import { quitQuietly, RedisClient } from '../redis/redis-client';
import { RedisFactory } from '../redis/redis-factory';
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
    const factory = app.get(RedisFactory);
    // The adapter's clients wait for Redis rather than fail: pub/sub must survive a reconnect.
    const options = { enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined };
    this.pub = factory.create('feed-io-pub', options);
    this.sub = factory.create('feed-io-sub', options);
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
