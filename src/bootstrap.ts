import { ConsoleLogger, INestApplicationContext, LogLevel, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { serveQueueDashboard } from './admin/queue-dashboard';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { ErrorReply, HttpExceptionFilter } from './common/http-exception.filter';
import { acceptJsonBodiesOnly } from './common/json-body';
import { HttpMetrics } from './metrics/http.metrics';
import { serveApiDocs } from './openapi/openapi';
import { RedisIoAdapter } from './realtime/redis-io.adapter';
import { serveWebClient } from './web/web-client';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug'];

/** Structured logs: one JSON object a line. */
export function createLogger(config: AppConfig): ConsoleLogger {
  return new ConsoleLogger({ json: true, logLevels: LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1) });
}

/** The HTTP and Socket.IO side (ROLE=api, or all with the workers). */
export async function createHttpApp(config: AppConfig): Promise<NestFastifyApplication> {
  const errors = new HttpExceptionFilter();
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRole(config),
    new FastifyAdapter({
      bodyLimit: config.bodyLimitBytes,
      // request.ip, which the per-address limits count by, comes from X-Forwarded-For only behind trusted proxies.
      trustProxy: config.trustProxy,
      frameworkErrors: (error: Error, _request: unknown, reply: object) => errors.send(error, reply as ErrorReply),
    }),
    // Nest's parsers would accept form bodies too; the API takes JSON only (see acceptJsonBodiesOnly).
    { logger: createLogger(config), abortOnError: false, bodyParser: false },
  );
  acceptJsonBodiesOnly(app.getHttpAdapter().getInstance(), config.bodyLimitBytes);
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: true,
      validationError: { target: false, value: false },
    }),
  );
  app.useGlobalFilters(errors);
  app.useWebSocketAdapter(new RedisIoAdapter(app));
  app.get(HttpMetrics).install(app.getHttpAdapter().getInstance());
  serveApiDocs(app);
  serveQueueDashboard(app, config);
  serveWebClient(app);
  return app;
}

/** The background side alone (ROLE=worker): processors and the outbox relay, no HTTP. */
export function createWorkerContext(config: AppConfig): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(AppModule.forRole(config), {
    logger: createLogger(config),
    abortOnError: false,
  });
}
