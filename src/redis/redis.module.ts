import { Global, Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RedisClient, quitQuietly, redisDb, redisOptions } from './redis-client';
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
    { provide: RedisKeys, inject: [AppConfig], useFactory: (config: AppConfig) => new RedisKeys(config.redisKeyPrefix, redisDb(config.redisUrl)) },
    RedisTuning,
  ],
  exports: [RedisClient, RedisKeys],
})
export class RedisModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');

  constructor(
    @Inject(RedisClient) private readonly redis: RedisClient,
    private readonly tuning: RedisTuning,
  ) {
    let lastLogged = 0;
    redis.on('error', (err) => {
      // A Redis outage reports every reconnect attempt; one line every 10 s tells the story.
      if (Date.now() - lastLogged < 10_000) return;
      lastLogged = Date.now();
      this.logger.warn({ msg: 'redis connection error', error: err.message });
    });
  }

  async onModuleInit(): Promise<void> {
    await this.redis.connect();
    await this.tuning.apply();
  }

  async onApplicationShutdown(): Promise<void> {
    await quitQuietly(this.redis);
  }
}
