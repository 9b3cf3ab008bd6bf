import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { RateLimitInterceptor } from './rate-limit.interceptor';
import { RateLimits } from './rate-limits.service';

/** API.md's rate limits, for REST routes (the interceptor) and the live feed (RateLimits). */
@Global()
@Module({
  providers: [RateLimits, { provide: APP_INTERCEPTOR, useClass: RateLimitInterceptor }],
  exports: [RateLimits],
})
export class RateLimitModule {}
