/**
 * How to write one post into N home timelines: the pipeline the fan-out uses (ZADD + trim per
 * timeline, TimelineRepository.addToMany) against a Lua script that first checks the timeline
 * exists (the design we measured and dropped), against the raw limit (ZADD alone, no trim).
 * Timelines start full (800 entries), as at steady state. Prints deliveries per second and ratios.
 * Its keys carry a per-run prefix and are deleted at the end; it never flushes a database.
 *
 *   node dist/bench/timeline-writes.js [--timelines 10000] [--batch 1000] [--rounds 5] [--redis redis://127.0.0.1:6379]
 */
import Redis from 'ioredis';
import { parseArgs } from 'node:util';
import { RedisKeys } from '../src/redis/redis-keys';
import { TimelineRepository } from '../src/timelines/timeline.repository';

const MAX = 800;
const LUA_ADD_IF_EXISTS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[2])
redis.call('ZREMRANGEBYRANK', KEYS[1], 1, -tonumber(ARGV[1]) - 1)
return 1`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      timelines: { type: 'string', default: '10000' },
      batch: { type: 'string', default: '1000' },
      rounds: { type: 'string', default: '5' },
      redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    },
  });
  const timelines = Number(values.timelines);
  const batch = Number(values.batch);
  const rounds = Number(values.rounds);
  const redis = new Redis(values.redis!, { maxRetriesPerRequest: 1 });
  const prefix = `bench-writes-${process.pid}:`;
  const keys = new RedisKeys(prefix);
  const repository = new TimelineRepository(redis, keys, redis);
  const userIds = Array.from({ length: timelines }, (_, i) => String(i + 1));
  const homeKeys = userIds.map((id) => keys.home(id));
  // The raw write never trims, so it gets timelines of its own, refilled (untimed) before each round.
  const rawKeys = userIds.map((id) => `${prefix}raw:{u:${id}}`);

  await redis.config('SET', 'zset-max-listpack-entries', String(MAX + 2)).catch(() => undefined);
  process.stderr.write(`filling ${timelines} timelines with ${MAX} entries...\n`);
  await fill(redis, homeKeys);
  await fill(redis, rawKeys);

  const luaSha = (await redis.script('LOAD', LUA_ADD_IF_EXISTS)) as string;
  let nextId = 10_000_000_000;
  const strategies: Record<string, (batchKeys: string[], id: string) => Promise<unknown>> = {
    // Writes to rawKeys: see the round loop.
    'pipeline (ours)': (batchKeys, id) => repository.addToMany(batchKeys, [id], MAX),
    'lua exists+add+trim': (batchKeys, id) => {
      const pipeline = redis.pipeline();
      for (const key of batchKeys) pipeline.evalsha(luaSha, 1, key, MAX, id);
      return pipeline.exec();
    },
    'raw zadd (limit)': (batchKeys, id) => {
      const pipeline = redis.pipeline();
      for (const key of batchKeys) pipeline.zadd(key, id, id);
      return pipeline.exec();
    },
  };
  const targets: Record<string, string[]> = {
    'pipeline (ours)': homeKeys,
    'lua exists+add+trim': homeKeys,
    'raw zadd (limit)': rawKeys,
  };

  const results: Record<string, number[]> = {};
  for (let round = 0; round < rounds; round++) {
    // Interleaved rounds: each strategy sees the same machine noise.
    for (const [name, write] of Object.entries(strategies)) {
      const id = String(nextId++);
      const target = targets[name];
      if (target === rawKeys) await fill(redis, rawKeys);
      const started = process.hrtime.bigint();
      for (let i = 0; i < target.length; i += batch) await write(target.slice(i, i + batch), id);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      (results[name] ??= []).push(timelines / seconds);
      process.stderr.write(`round ${round + 1}/${rounds} ${name}: ${Math.round(timelines / seconds)} writes/s\n`);
    }
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const limit = median(results['raw zadd (limit)']);
  console.log(`\n${timelines} timelines of ${MAX}, batches of ${batch}, median of ${rounds} rounds`);
  console.log('strategy               writes/s   vs raw');
  for (const [name, samples] of Object.entries(results)) {
    const rate = median(samples);
    console.log(`${name.padEnd(22)} ${String(Math.round(rate)).padStart(9)}   ${(rate / limit).toFixed(2)}`);
  }
  const sample = homeKeys[0];
  const entries = await redis.zcard(sample);
  const bytes = Number(await redis.memory('USAGE', sample, 'SAMPLES', '0'));
  console.log(`a timeline now: ${entries} members, ${await redis.object('ENCODING', sample)}, ${(bytes / entries).toFixed(1)} bytes/entry`);

  await clean(redis, prefix);
  redis.disconnect();
}

async function fill(redis: Redis, keys: string[]): Promise<void> {
  const members: (string | number)[] = [0, '0'];
  for (let i = 1; i <= MAX; i++) members.push(i * 4096, String(i * 4096));
  for (let i = 0; i < keys.length; i += 500) {
    const pipeline = redis.pipeline();
    for (const key of keys.slice(i, i + 500)) pipeline.del(key).zadd(key, ...members);
    await pipeline.exec();
  }
}

async function clean(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (found.length > 0) await redis.unlink(...found);
    cursor = next;
  } while (cursor !== '0');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
