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
import { restCorsOptions } from './security/cross-origin';
import { installSecurityHeaders } from './security/security-headers';
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
      // A client must send its whole request within requestTimeout: a slowly sent body holds no
      // connection for ever. Node takes it only when the server is created (Fastify's own option
      // sets it afterwards, when Node no longer reads it), and checks it every
      // connectionsCheckingInterval (30 s by default).
      http: {
        requestTimeout: config.requestTimeoutMs,
        connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(config.requestTimeoutMs / 4))),
      },
      requestTimeout: config.requestTimeoutMs,
      connectionTimeout: config.connectionTimeoutMs,
      keepAliveTimeout: config.keepAliveTimeoutMs,
      frameworkErrors: (error: Error, _request: unknown, reply: object) => errors.send(error, reply as ErrorReply),
    }),
    // Nest's parsers would accept form bodies too; the API takes JSON only (see acceptJsonBodiesOnly).
    { logger: createLogger(config), abortOnError: false, bodyParser: false },
  );
  acceptJsonBodiesOnly(app.getHttpAdapter().getInstance(), config.bodyLimitBytes);
  await installSecurityHeaders(app);
  if (config.corsOrigins.length > 0) app.enableCors(restCorsOptions(config.corsOrigins));
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
