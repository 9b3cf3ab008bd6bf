import { Global, Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { BulkRedisClient, RedisClient, quitQuietly, redisDb, redisOptions } from './redis-client';
import { RedisKeys } from './redis-keys';
import { RedisTuning } from './redis-tuning';

@Global()
@Module({
  providers: [
    {
      provide: RedisClient,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new RedisClient(config.redisUrl, redisOptions({ lazyConnect: true, connectionName: 'feed' })),
    },
    {
      provide: BulkRedisClient,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new BulkRedisClient(config.redisUrl, redisOptions({ lazyConnect: true, connectionName: 'feed-bulk' })),
    },
    { provide: RedisKeys, inject: [AppConfig], useFactory: (config: AppConfig) => new RedisKeys(config.redisKeyPrefix, redisDb(config.redisUrl)) },
    RedisTuning,
  ],
  exports: [RedisClient, BulkRedisClient, RedisKeys],
})
export class RedisModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');

  constructor(
    @Inject(RedisClient) private readonly redis: RedisClient,
    @Inject(BulkRedisClient) private readonly bulk: BulkRedisClient,
    private readonly tuning: RedisTuning,
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
    await this.tuning.apply();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([quitQuietly(this.redis), quitQuietly(this.bulk)]);
  }
}
