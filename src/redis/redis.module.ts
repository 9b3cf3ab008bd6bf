import { Global, Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { BulkRedisClient, RedisClient, quitQuietly } from './redis-client';
import { RedisFactory } from './redis-factory';
import { RedisKeys } from './redis-keys';

@Global()
@Module({
  providers: [
    { provide: RedisFactory, inject: [AppConfig], useFactory: (config: AppConfig) => new RedisFactory(config) },
    {
      provide: RedisClient,
      inject: [RedisFactory],
      // Requests running side by side share writes: commands issued in one tick go out as one
      // pipeline, and a write to Redis is a system call that costs more than most commands do.
      useFactory: (factory: RedisFactory) => factory.create('feed', { lazyConnect: true, enableAutoPipelining: true }),
    },
    {
      provide: BulkRedisClient,
      inject: [RedisFactory],
      useFactory: (factory: RedisFactory) => factory.create('feed-bulk', { lazyConnect: true }),
    },
    {
      provide: RedisKeys,
      inject: [AppConfig, RedisFactory],
      useFactory: (config: AppConfig, factory: RedisFactory) => new RedisKeys(config.redisKeyPrefix, factory.db),
    },
  ],
  exports: [RedisFactory, RedisClient, BulkRedisClient, RedisKeys],
})
export class RedisModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');

  constructor(
    @Inject(RedisClient) private readonly redis: RedisClient,
    @Inject(BulkRedisClient) private readonly bulk: BulkRedisClient,
    private readonly factory: RedisFactory,
  ) {
    let lastLogged = 0;
    const onError = (err: Error) => {
      // A Redis outage reports every reconnect attempt; one line every 10 s tells the story.
      if (Date.now() - lastLogged < 10_000) return;
      lastLogged = Date.now();
      this.logger.warn({ msg: 'redis connection error', error: err.message });
    };
    redis.on('error', onError);
    bulk.on('error', onError);
  }

  async onModuleInit(): Promise<void> {
    await Promise.all([this.redis.connect(), this.bulk.connect()]);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([quitQuietly(this.redis), quitQuietly(this.bulk), this.factory.close()]);
  }
}
