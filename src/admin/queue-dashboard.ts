import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardAdapter } from '@bull-board/fastify';
import { getQueueToken } from '@nestjs/bullmq';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Queue } from 'bullmq';
import { STATUS_CODES } from 'node:http';
import { AppConfig } from '../config/app-config';
import { QueueName } from '../jobs/job-catalogue';
import { ADMIN_PATH, adminAccess, isCrossSiteChange } from './admin-access';

/**
 * Bull Board for every queue at /admin/queues, behind ADMIN_TOKEN. Without ADMIN_TOKEN nothing is
 * registered, so the path is the same 404 as any unknown one.
 */
export function serveQueueDashboard(app: NestFastifyApplication, config: AppConfig): void {
  const token = config.adminToken;
  if (token === null) return;
  const board = new BullBoardAdapter();
  board.setBasePath(ADMIN_PATH);
  createBullBoard({
    queues: Object.values(QueueName).map((name) => new BullMQAdapter(app.get<Queue>(getQueueToken(name)))),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'feed-fanout queues' } },
  });
  const fastify = app.getHttpAdapter().getInstance();
  // An encapsulated plugin: the guard runs for the dashboard's routes (page, assets, API) only.
  void fastify.register(
    async (scope) => {
      scope.addHook('onRequest', async (request, reply) => {
        const access = adminAccess(request.headers, token);
        if (access !== 'granted') {
          reply.header('WWW-Authenticate', 'Basic realm="feed-fanout queues", charset="UTF-8"');
          return deny(reply, 401, access === 'no credentials'
            ? 'the queue dashboard needs the admin token: send Authorization: Bearer <ADMIN_TOKEN>, or give it as the password when the browser asks'
            : 'wrong admin token');
        }
        if (isCrossSiteChange(request.method, request.headers)) {
          return deny(reply, 403, 'changes to the queues are only accepted from the dashboard itself');
        }
      });
      await scope.register(board.registerPlugin());
    },
    { prefix: ADMIN_PATH },
  );
}

function deny(reply: { code(status: number): { send(body: unknown): unknown } }, status: number, message: string): unknown {
  return reply.code(status).send({ statusCode: status, error: STATUS_CODES[status], message });
}
