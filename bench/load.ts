import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '../src/config/app-config';
import { RedisKeys } from '../src/redis/redis-keys';
import { HomeCursors } from '../src/timelines/home-cursor';
import { ClientFleet } from './clients/client-fleet';
import { Cleanup } from './cleanup';
import { CpuMeter } from './cpu';
import { Http } from './http';
import { HELP, LoadOptions, OptionsError, parseOptions, planClasses } from './options';
import { Progress } from './progress';
import { renderHtml } from './report/html';
import { renderTables } from './report/table';
import { LoadResults } from './results';
import { Sandbox } from './sandbox';
import { RunContext } from './scenarios/context';
import { runBigAccount, runFanoutClasses } from './scenarios/fanout';
import { runFairness } from './scenarios/fairness';
import { runInline } from './scenarios/inline';
import { measureMemory } from './scenarios/memory';
import { runRawWrite } from './scenarios/raw-write';
import { runDeepReads } from './scenarios/deep-reads';
import { runReads } from './scenarios/reads';
import { runReturning } from './scenarios/returning';
import { runRules } from './scenarios/rules';
import { runScaling } from './scaling';
import { seedGraph } from './seed';
import { ServiceProcess } from './service';
import { judgeTargets } from './targets';
import { prefillTimelines } from './timelines';
import { signToken } from './tokens';

const KEY_PREFIX = 'feed:';

/**
 * `npm run load`: seeds a world of its own, starts the service, measures, reports, and removes
 * everything it created, on success, on failure and on Ctrl-C alike.
 */
async function main(): Promise<number> {
  // The scale-out scenario has a world and options of its own (bench/scaling.ts).
  if (process.argv.includes('--scaling')) return runScaling(process.argv.slice(2));
  let options: LoadOptions | 'help';
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof OptionsError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(err as Error).message}\n\n${HELP}`);
      return 2;
    }
    throw err;
  }
  if (options === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const cleanup = new Cleanup();
  cleanup.onSignals();
  try {
    return await run(options, cleanup);
  } catch (err) {
    if (cleanup.interrupted) return new Promise(() => undefined); // the signal handler exits
    throw err;
  } finally {
    await cleanup.run();
  }
}

async function run(options: LoadOptions, cleanup: Cleanup): Promise<number> {
  const startedAt = new Date();
  const progress = new Progress();
  const runId = `load-${startedAt.toISOString().replace(/[:.]/g, '-').slice(0, 19)}`;
  const logsDir = join(options.resultsDir, `${runId}-logs`);
  mkdirSync(logsDir, { recursive: true });

  progress.start('database and Redis');
  const sandbox = await Sandbox.create(options.databaseServer, options.redisServer, options.redisDb);
  cleanup.add('remove the database and Redis data', async () => {
    if (options.keep) process.stderr.write(`kept: database ${sandbox.databaseName}, Redis db ${sandbox.redisDb} (claimed for an hour)\n`);
    else await sandbox.close();
  });
  const sql = await sandbox.sql();
  cleanup.add('close PostgreSQL', () => sql.end());
  const redis = sandbox.redis();
  cleanup.add('close Redis', async () => redis.disconnect());
  const keys = new RedisKeys(KEY_PREFIX, sandbox.redisDb);
  progress.finish(`database ${sandbox.databaseName}, Redis db ${sandbox.redisDb}`);

  progress.start('seeding the graph');
  const graph = await seedGraph(sql, options);
  progress.finish(`${graph.users.toLocaleString('en-US')} users, ${graph.follows.toLocaleString('en-US')} follows, ${graph.seedPosts.toLocaleString('en-US')} posts, ${graph.blocks.toLocaleString('en-US')} blocks, ${graph.mutes.toLocaleString('en-US')} mutes in ${(graph.ms / 1000).toFixed(1)} s`);

  const maxTimeline = Number(options.serviceEnv.TIMELINE_MAX_LENGTH ?? 800);
  progress.start('timelines at steady state');
  const prefill = await prefillTimelines(redis, sql, keys, graph.timelineOwners, maxTimeline);
  progress.finish(`${prefill.timelines.toLocaleString('en-US')} timelines × ${prefill.entriesPerTimeline} entries in ${(prefill.ms / 1000).toFixed(1)} s`);

  progress.start('starting the service');
  const secret = randomBytes(32).toString('hex');
  // Every class is fanned out on write; only the big account, followed by everyone, is above it.
  const threshold = Number(options.serviceEnv.FANOUT_CELEBRITY_THRESHOLD ?? options.followers[options.followers.length - 1]);
  const env = {
    DATABASE_URL: sandbox.databaseUrl,
    REDIS_URL: sandbox.redisUrl,
    REDIS_KEY_PREFIX: KEY_PREFIX,
    JWT_SECRET: secret,
    FANOUT_CELEBRITY_THRESHOLD: String(threshold),
    // A load run is thousands of users from one address, each far busier than a person: limits
    // that never refuse, still counted, so the run pays what a real deployment pays for them.
    RATE_LIMIT_LOGIN: '999999999/1h',
    RATE_LIMIT_REGISTER: '999999999/1h',
    RATE_LIMIT_WRITE: '999999999/1h',
    RATE_LIMIT_READ: '999999999/1h',
    LIVE_MAX_SOCKETS: '100000',
    ...options.serviceEnv,
  };
  const services: ServiceProcess[] = [];
  // All at once: each drains its running jobs and sockets on SIGTERM, which takes a few seconds.
  cleanup.add('stop the service', async () => {
    await Promise.all(services.map((service) => service.stop()));
  });
  const start = async (name: string, role: 'api' | 'worker', extra: Record<string, string> = {}) => {
    const service = await ServiceProcess.start({
      name,
      role,
      env: { ...env, ...extra },
      logFile: join(logsDir, `${name}.log`),
      profileDir: options.profile ? logsDir : undefined,
    });
    services.push(service);
    return service;
  };
  const wantInline = !options.skip.has('inline') && options.inlinePosts.some((n) => n > 0);
  // The feed rules' cost: the inline instance (rules on) against a twin with FEED_RULES=off.
  const wantRules = !options.skip.has('rules');
  // Settled, not raced: when one fails, the others have still registered for cleanup.
  const started = await Promise.allSettled([
    start('api', 'api'),
    start('worker', 'worker', options.lanes ? { WORKER_QUEUES: 'fanout,graph,maintenance' } : {}),
    wantInline || wantRules ? start('inline', 'api', { FANOUT_MODE: 'inline' }) : Promise.resolve(null),
    wantRules ? start('rules-off', 'api', { FANOUT_MODE: 'inline', FEED_RULES: 'off' }) : Promise.resolve(null),
    options.lanes ? start('worker-bulk', 'worker', { WORKER_QUEUES: 'fanout-bulk' }) : Promise.resolve(null),
  ]);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const [apiProcess, workerProcess, inlineProcess, rulesOffProcess, bulkWorkerProcess] = started.map((s) => (s as PromiseFulfilledResult<ServiceProcess | null>).value) as [
    ServiceProcess,
    ServiceProcess,
    ServiceProcess | null,
    ServiceProcess | null,
    ServiceProcess | null,
  ];
  const api = new Http(apiProcess.url!);
  const inline = inlineProcess ? new Http(inlineProcess.url!) : null;
  const rulesOff = rulesOffProcess ? new Http(rulesOffProcess.url!) : null;
  cleanup.add('close HTTP clients', async () => {
    api.close();
    inline?.close();
    rulesOff?.close();
  });
  progress.finish(
    `api ${apiProcess.url}, worker${bulkWorkerProcess ? 's (lanes)' : ''}${inlineProcess ? `, inline ${inlineProcess.url}` : ''}${rulesOffProcess ? `, rules off ${rulesOffProcess.url}` : ''}; logs in ${logsDir}`,
  );

  const token = (user: { id: string; username: string }) => signToken(secret, user);
  const cursors = new HomeCursors({ jwtSecret: secret } as AppConfig);
  progress.start('connecting live clients');
  const fleet = await ClientFleet.connect(apiProcess.url!, graph.clients.map((c) => ({ id: c.id, token: token(c) })), options.clientProcesses);
  cleanup.add('disconnect clients', () => fleet.close());
  progress.finish(`${graph.clients.length} clients over ${options.clientProcesses} processes`);

  const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1] ?? 0);
  const cpu = new CpuMeter(() => ({
    api: [apiProcess.pid],
    worker: [workerProcess.pid],
    ...(bulkWorkerProcess ? { 'worker-bulk': [bulkWorkerProcess.pid] } : {}),
    ...(ctx.inline && inlineProcess ? { inline: [inlineProcess.pid] } : {}),
    ...(rulesOffProcess && ctx.inline ? { 'rules-off': [rulesOffProcess.pid] } : {}),
    redis: redisPid ? [redisPid] : [],
    postgres: { postgresDatabase: sandbox.databaseName },
    clients: fleet.pids,
    bench: [process.pid],
  }));
  const ctx: RunContext = {
    options,
    plan: planClasses(options, null),
    graph,
    keys,
    redis,
    redisDb: sandbox.redisDb,
    sql,
    databaseUrl: sandbox.databaseUrl,
    api,
    apiUrl: apiProcess.url!,
    inline,
    fleet,
    progress,
    cpu,
    token,
    homeCursor: (readerId, afterId) => cursors.encode(readerId, { after: afterId, deep: false }),
    tag: runId,
    maxTimeline,
    threshold,
    authors: graph.authors.map((a) => ({ ...a, token: token(a) })),
    big: { ...graph.big, token: token(graph.big) },
  };
  const results: LoadResults = {
    meta: {
      startedAt: startedAt.toISOString(),
      finishedAt: '',
      seconds: 0,
      machine: await machine(ctx),
      database: sandbox.databaseName,
      redisDb: sandbox.redisDb,
      options: { ...options, skip: [...options.skip], resultsDir: undefined },
      service: { threshold, env: options.serviceEnv },
      plan: ctx.plan,
    },
    graph: {
      users: graph.users,
      follows: graph.follows,
      seedPosts: graph.seedPosts,
      blocks: graph.blocks,
      mutes: graph.mutes,
      following: graph.following,
      followersOfPool: graph.followersOfPool,
      authors: [...graph.authors.map((a) => ({ label: `fan-out ${a.followers}`, id: a.id, followers: a.followers })), { label: 'big', id: graph.big.id, followers: graph.big.followers }],
      clients: graph.clients.length,
      timelines: prefill.timelines,
      entriesPerTimeline: prefill.entriesPerTimeline,
      seedMs: graph.ms,
      prefillMs: prefill.ms,
    },
    classes: [],
    big: null,
    inline: [],
    rawWrite: null,
    fairness: null,
    reads: null,
    deepReads: null,
    returning: null,
    memory: null,
    rules: null,
    targets: [],
  };

  const wants = (scenario: Parameters<typeof options.skip.has>[0]) => !options.skip.has(scenario);
  if (wants('raw')) results.rawWrite = await runRawWrite(ctx);
  results.meta.plan = ctx.plan = planClasses(options, results.rawWrite?.perSec ?? null);
  if (wants('fanout')) results.classes = await runFanoutClasses(ctx);
  if (wants('big') && options.bigPosts > 0) results.big = await runBigAccount(ctx);
  if (wants('fairness') && options.fairnessPosts > 0 && ctx.authors.length >= 2) {
    results.fairness = await runFairness(ctx, results.classes[results.classes.length - 1]?.summary.fanoutMs.p50 ?? null);
  }
  if (inlineProcess) {
    if (wantInline) results.inline = await runInline(ctx);
    if (rulesOff && rulesOffProcess) results.rules = await runRules(ctx, rulesOff, rulesOffProcess.url!, inlineProcess.url!);
    // The inline instances' pools and subscriptions are not part of what the reads measure.
    await Promise.all([inlineProcess.stop(), rulesOffProcess?.stop()]);
    ctx.inline = null;
  }
  if (wants('reads')) results.reads = await runReads(ctx);
  if (wants('deep')) results.deepReads = await runDeepReads(ctx);
  if (wants('returning')) results.returning = await runReturning(ctx);
  if (wants('memory')) results.memory = await measureMemory(ctx, prefill.bytesPerEntry);

  const finishedAt = new Date();
  results.meta.finishedAt = finishedAt.toISOString();
  results.meta.seconds = Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000);
  results.targets = judgeTargets(results);

  const jsonPath = join(options.resultsDir, `${runId}.json`);
  const htmlPath = join(options.resultsDir, `${runId}.html`);
  writeFileSync(jsonPath, JSON.stringify(results, null, 1));
  writeFileSync(htmlPath, renderHtml(results));
  process.stdout.write(`\n${renderTables(results)}\n\nResults: ${jsonPath}\nReport:  ${htmlPath}\nService logs: ${logsDir}\n`);
  return 0;
}

async function machine(ctx: RunContext): Promise<LoadResults['meta']['machine']> {
  const info = await ctx.redis.info('server');
  const pg = await ctx.sql.query<{ server_version: string }>('SHOW server_version');
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    postgres: pg.rows[0].server_version.split(' ')[0],
  };
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`\nload run failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
