import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { RedisFactory } from '../redis/redis-factory';
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
      inject: [RedisFactory, RedisKeys],
      useFactory: (factory: RedisFactory, keys: RedisKeys) => ({
        prefix: keys.queuePrefix(),
        connection: factory.queueConnection(),
      }),
    }),
    BullModule.registerQueue(...queues),
  ],
  providers: [JobQueue, JobDispatcher, OutboxRepository],
  exports: [JobQueue, JobDispatcher, OutboxRepository],
})
export class JobsModule {}
