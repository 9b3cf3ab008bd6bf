import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { MetricsModule } from '../metrics/metrics.module';
import { RateLimitInterceptor } from './rate-limit.interceptor';
import { RateLimits } from './rate-limits.service';

/**
 * API.md's rate limits: for every REST route (the interceptor, global as APP_INTERCEPTOR providers
 * are) and, through RateLimits, for the live feed that imports this module.
 */
@Module({
  imports: [MetricsModule],
  providers: [RateLimits, { provide: APP_INTERCEPTOR, useClass: RateLimitInterceptor }],
  exports: [RateLimits],
})
export class RateLimitModule {}
