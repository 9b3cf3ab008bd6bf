import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { MetricsModule } from '../metrics/metrics.module';
import { RetentionProcessor } from './retention.processor';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';

/** Retention of PostgreSQL rows (see RetentionService); loaded with the workers. */
@Module({
  imports: [JobsModule, MetricsModule],
  providers: [RetentionRepository, RetentionService, RetentionProcessor],
})
export class RetentionModule {}
