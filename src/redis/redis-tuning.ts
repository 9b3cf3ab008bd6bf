import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RedisClient } from './redis-client';
import { serversOf } from './redis-factory';

/**
 * Home timelines stay compact only while Redis keeps them in listpack encoding (about 21 bytes an
 * entry instead of about 129 as a skiplist). That holds while a sorted set has at most
 * `zset-max-listpack-entries` members, and a set that outgrows it even for a moment is converted
 * for good. A timeline holds at most its entries, its marker and the one being added before the
 * trim, so the setting must be at least TIMELINE_MAX_LENGTH + 2.
 */
@Injectable()
export class RedisTuning {
  private readonly logger = new Logger('RedisTuning');

  constructor(
    private readonly redis: RedisClient,
    private readonly config: AppConfig,
  ) {}

  requiredListpackEntries(): number {
    return this.config.timelineMaxLength + 2;
  }

  /** On every master of a cluster: each holds its share of the timelines. */
  async apply(): Promise<void> {
    await Promise.all(serversOf(this.redis).map((server) => this.applyTo(server)));
  }

  private async applyTo(server: RedisClient): Promise<void> {
    const wanted = this.requiredListpackEntries();
    try {
      const [, current] = (await server.config('GET', 'zset-max-listpack-entries')) as string[];
      if (Number(current) >= wanted) return;
      await server.config('SET', 'zset-max-listpack-entries', String(wanted));
      this.logger.log({ msg: 'raised zset-max-listpack-entries', from: Number(current), to: wanted });
    } catch (err) {
      this.logger.warn({
        msg: `could not set zset-max-listpack-entries to ${wanted}; set it in redis.conf or timelines will use ~6x more memory`,
        error: (err as Error).message,
      });
    }
  }
}
