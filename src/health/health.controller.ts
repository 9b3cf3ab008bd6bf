import { Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/current-user.decorator';
import { HealthService } from './health.service';

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  async check(@Res({ passthrough: true }) reply: { status(code: number): unknown }) {
    const report = await this.health.check();
    if (report.status !== 'ok') reply.status(503);
    return report;
  }
}
