import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RedisKeys } from '../redis/redis-keys';
import { DEFAULT_JOB_OPTIONS, QueueName } from './job-catalogue';
import { JobDispatcher } from './job-dispatcher';
import { JobQueue } from './job-queue';
import { OutboxRepository } from './outbox.repository';

const queues = Object.values(QueueName).map((name) => ({ name, defaultJobOptions: DEFAULT_JOB_OPTIONS }));

/** The BullMQ queues and the outbox that feeds them; workers live in their own modules. */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig, RedisKeys],
      useFactory: (config: AppConfig, keys: RedisKeys) => ({
        prefix: keys.queuePrefix(),
        connection: { url: config.redisUrl, connectTimeout: 5_000, maxRetriesPerRequest: null },
      }),
    }),
    BullModule.registerQueue(...queues),
  ],
  providers: [JobQueue, JobDispatcher, OutboxRepository],
  exports: [JobQueue, JobDispatcher, OutboxRepository],
})
export class JobsModule {}
