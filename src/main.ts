import 'reflect-metadata';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { createHttpApp, createLogger, createWorkerContext } from './bootstrap';
import { AppConfig, ConfigError, loadConfig, warnAboutDefaults } from './config/app-config';
import { migrate } from './database/migrate';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Configuration error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  Logger.overrideLogger(createLogger(config));
  const logger = new Logger('Main');
  warnAboutDefaults(config);
  await migrate(config.databaseUrl);

  let app: INestApplicationContext;
  if (config.role === 'worker') {
    app = await createWorkerContext(config);
    await app.init();
    logger.log({ msg: 'worker started', role: config.role });
  } else {
    const http = await createHttpApp(config);
    await http.listen(config.port, config.host);
    app = http;
    logger.log({ msg: 'listening', url: `http://${config.host}:${config.port}`, role: config.role, docs: '/docs' });
  }
  handleShutdown(app, config, logger);
}

/**
 * SIGTERM/SIGINT: stop taking work, let running jobs finish (BullMQ hands back what cannot),
 * close connections, exit 0. A stuck shutdown is cut off after SHUTDOWN_TIMEOUT_MS.
 */
function handleShutdown(app: INestApplicationContext, config: AppConfig, logger: Logger): void {
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log({ msg: 'shutting down', signal });
    setTimeout(() => {
      logger.error({ msg: 'shutdown timed out; exiting', timeoutMs: config.shutdownTimeoutMs });
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    await app.close();
    logger.log({ msg: 'stopped' });
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  const reason = (err as Error).message ?? String(err);
  console.error(JSON.stringify({ level: 'fatal', msg: 'startup failed', error: reason, hint: startupHint(reason) }));
  process.exit(1);
});

function startupHint(reason: string): string {
  if (/5432|ECONNREFUSED.*postgres|password authentication|database/i.test(reason)) {
    return 'Is PostgreSQL running and DATABASE_URL right? Try: docker compose up -d postgres';
  }
  if (/6379|redis/i.test(reason)) return 'Is Redis running and REDIS_URL right? Try: docker compose up -d redis';
  return 'See the error above.';
}
