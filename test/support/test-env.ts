import { INestApplicationContext } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { createHttpApp, createWorkerContext } from '../../src/bootstrap';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { migrate } from '../../src/database/migrate';
import { LocalRedisCluster } from '../../bench/local-redis-cluster';
import { RedisKeys } from '../../src/redis/redis-keys';
import { ResponseCheck } from './openapi-check';
import { freePort, waitForLog } from './processes';
import { RedisMonitor } from './redis-monitor';
import { TEST_DATABASE_SERVER } from './servers';
import { RedisMode, RedisOutage, TestRedis, TestRedisTarget } from './test-redis';

export type EnvOverrides = Record<string, string>;

export interface RunningApp {
  app: NestFastifyApplication;
  url: string;
}

/**
 * One isolated world per test file: a PostgreSQL database and a share of Redis of its own (a
 * database on one Redis, or a key prefix on the local cluster: see TestRedisTarget), created here
 * and dropped by close(). Apps run in-process; workers can run as child processes.
 */
export class TestEnv {
  readonly databaseUrl: string;
  private readonly apps: INestApplicationContext[] = [];
  private readonly children: ChildProcess[] = [];
  private clients: { end(): Promise<void> | void }[] = [];

  private constructor(
    private readonly databaseName: string,
    private readonly redisTarget: TestRedisTarget,
    private readonly baseEnv: EnvOverrides,
  ) {
    this.databaseUrl = `${TEST_DATABASE_SERVER}/${databaseName}`;
  }

  static async create(baseEnv: EnvOverrides = {}): Promise<TestEnv> {
    const name = `feed_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    const env = new TestEnv(name, await TestRedisTarget.create(), baseEnv);
    await migrate(env.databaseUrl, { log: () => undefined } as never);
    return env;
  }

  /** Which Redis this run of the test uses: one server, or the local cluster. */
  get redisMode(): RedisMode {
    return this.redisTarget.mode;
  }

  /** The local cluster of the e2e-cluster project (to stop a master, find keys), null on one Redis. */
  get redisCluster(): LocalRedisCluster | null {
    return this.redisTarget.cluster;
  }

  /** The Redis keys of this test's apps (its own prefix on the cluster). */
  get keys(): RedisKeys {
    return this.redisTarget.keys;
  }

  /** The environment an app of this test runs with. */
  env(overrides: EnvOverrides = {}): EnvOverrides {
    return {
      DATABASE_URL: this.databaseUrl,
      ...this.redisTarget.env(),
      HOST: '127.0.0.1',
      PORT: '0',
      JWT_SECRET: 'test-secret',
      LOG_LEVEL: 'warn',
      OUTBOX_RELAY_INTERVAL_MS: '200',
      OUTBOX_RELAY_AFTER_MS: '2000',
      // Far above anything a test sends; the limits' own tests set low ones.
      RATE_LIMIT_LOGIN: '100000/1m',
      RATE_LIMIT_REGISTER: '100000/1m',
      RATE_LIMIT_WRITE: '1000000/1m',
      RATE_LIMIT_READ: '1000000/1m',
      LIVE_MAX_SOCKETS: '10000',
      ...this.baseEnv,
      ...overrides,
    };
  }

  config(overrides: EnvOverrides = {}): AppConfig {
    return loadConfig(this.env(overrides));
  }

  /**
   * Boots the HTTP app in this process on a free loopback port. Every answer it sends is checked
   * against its OpenAPI document (test/support/openapi-check.ts).
   */
  async startApp(overrides: EnvOverrides = {}): Promise<RunningApp> {
    const app = await createHttpApp(this.config(overrides));
    const check = ResponseCheck.install(app.getHttpAdapter().getInstance());
    await app.listen(0, '127.0.0.1');
    this.apps.push(app);
    const { port } = app.getHttpServer().address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    await check.load(url);
    return { app, url };
  }

  async startWorker(overrides: EnvOverrides = {}): Promise<INestApplicationContext> {
    const ctx = await createWorkerContext(this.config({ ROLE: 'worker', ...overrides }));
    await ctx.init();
    this.apps.push(ctx);
    return ctx;
  }

  /** Runs the built service (dist/) as a child process, as production would. */
  spawn(overrides: EnvOverrides = {}): ChildProcess {
    const child = spawn(process.execPath, [join(__dirname, '..', '..', 'dist', 'src', 'main.js')], {
      env: { ...process.env, ...this.env(overrides) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.resume();
    child.stderr?.resume();
    this.children.push(child);
    return child;
  }

  /** Runs the built service as a child API process (ROLE=api) on a free port; resolves to its URL once it listens. */
  async spawnApi(overrides: EnvOverrides = {}): Promise<string> {
    const port = await freePort();
    const child = this.spawn({ ROLE: 'api', PORT: String(port), LOG_LEVEL: 'log', ...overrides });
    await waitForLog(child, '"listening"');
    return `http://127.0.0.1:${port}`;
  }

  /** A PostgreSQL client on this test's database, closed with the env. */
  async sql(): Promise<Client> {
    const client = new Client({ connectionString: this.databaseUrl });
    await client.connect();
    this.clients.push(client);
    return client;
  }

  /** A Redis client on this test's Redis (one server or the cluster), closed with the env. */
  redis(): TestRedis {
    const client = this.redisTarget.client();
    this.clients.push({ end: () => client.disconnect() });
    return client;
  }

  /** The commands this test's apps run on Redis from now on; stopped with the env. */
  async monitorRedis(): Promise<RedisMonitor> {
    const monitor = await this.redisTarget.monitor();
    this.clients.push({ end: () => monitor.stop() });
    return monitor;
  }

  /** What a FLUSHDB of this test's database would take: everything its apps keep in Redis. */
  flushRedis(): Promise<void> {
    return this.redisTarget.flush();
  }

  /** A way to take Redis away from an app started with its overrides, and give it back. */
  redisOutage(): Promise<RedisOutage> {
    return this.redisTarget.outage();
  }

  async close(): Promise<void> {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    for (const app of this.apps.reverse()) await app.close().catch(() => undefined);
    for (const client of this.clients) await client.end();
    this.clients = [];
    await this.redisTarget.release();
    const admin = new Client({ connectionString: `${TEST_DATABASE_SERVER}/postgres` });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS "${this.databaseName}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
}
