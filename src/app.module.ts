import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { FanoutWorkerModule } from './fanout/fanout-worker.module';
import { FollowsModule } from './follows/follows.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { MarkersModule } from './markers/markers.module';
import { MetricsModule } from './metrics/metrics.module';
import { PostsModule } from './posts/posts.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { LiveFeedModule } from './realtime/live-feed.module';
import { RealtimeModule } from './realtime/realtime.module';
import { RedisModule } from './redis/redis.module';
import { RetentionModule } from './retention/retention.module';
import { SafetyModule } from './safety/safety.module';
import { TimelinesModule } from './timelines/timelines.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  /** The API serves HTTP and enqueues; the worker runs the processors; `all` does both. */
  static forRole(config: AppConfig): DynamicModule {
    const core = [ConfigModule.forRoot(config), DatabaseModule, RedisModule, MetricsModule, JobsModule, LiveFeedModule];
    const api = [RateLimitModule, AuthModule, UsersModule, FollowsModule, SafetyModule, PostsModule, TimelinesModule, MarkersModule, HealthModule, RealtimeModule];
    const worker = [FanoutWorkerModule, RetentionModule];
    return {
      module: AppModule,
      imports: [...core, ...(config.role !== 'worker' ? api : []), ...(config.role !== 'api' ? worker : [])],
    };
  }
}
