import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/current-user.decorator';
import { HealthService } from './health.service';
import { HealthView } from './health.view';

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: 'Whether the service and its dependencies are up' })
  @ApiOkResponse({ type: HealthView, description: 'everything is up' })
  @ApiServiceUnavailableResponse({ type: HealthView, description: 'a dependency is down; `down` names it' })
  async check(@Res({ passthrough: true }) reply: { status(code: number): unknown }) {
    const report = await this.health.check();
    if (report.status !== 'ok') reply.status(503);
    return report;
  }
}
