/**
 * Which structure a home timeline should be, measured: one post written into N full timelines
 * (800 posts each, steady state) for each candidate, over a raw RESP socket (the limit: one buffer
 * prepared beforehand, no client library) and through ioredis pipelines (what the service pays),
 * side by side in one run. Rounds are interleaved (each round writes every structure, in a rotated
 * order) so that every structure sees the same machine noise; the median round is reported, with
 * the bytes an entry costs (MEMORY USAGE of sampled timelines) and ratios to the fastest.
 * Its keys carry a per-run prefix and are deleted at the end (also on Ctrl-C); it never flushes.
 *
 *   npm run bench:writes -- [--timelines 10000] [--batch 1000] [--rounds 3] [--redis redis://127.0.0.1:6379]
 */
import Redis from 'ioredis';
import { Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { redisDb } from '../src/redis/redis-client';
import { RedisKeys } from '../src/redis/redis-keys';
import { PUSH } from '../src/timelines/timeline-scripts';
import { BULK_SLICE, TimelineRepository } from '../src/timelines/timeline.repository';
import { Progress } from './progress';
import { command, open, roundTrip } from './scenarios/raw-write';

const MAX = 800;
const SAMPLED_KEYS = 20;
/** Post ids look like the service's (15-digit snowflakes, below 2^53 so a score holds them exactly). */
const FIRST_ID = 246_311_295_123_457;

type Command = string[];

/** The service's completeness marker when timelines were sorted sets: member '0' at score 0. */
const ZSET_MARKER = '0';
let scriptSha = '';

interface Structure {
  label: string;
  suffix: string;
  encoding: string;
  /** Builds one full timeline at `key`; every other timeline is a server-side COPY of it. */
  build(redis: Redis, key: string, ids: number[]): Promise<void>;
  /** How many timelines one call of `commands` writes (1 unless the structure's script takes many). */
  keysPerCall?: number;
  /** What writing post `id` into the timelines `keys` takes (the trim included). */
  commands(keys: string[], id: number): Command[];
}

/** A structure written with the same commands in every timeline, one timeline after the other. */
const each = (perKey: (key: string, id: number) => Command[]) => (keys: string[], id: number) => keys.flatMap((key) => perKey(key, id));

// The sorted sets keep the completeness marker the service gave them ('0' at score 0, rank 0), so
// their trims are the service's as it was.
const ascending = each((key, id) => [
  ['ZADD', key, String(id), String(id)],
  ['ZREMRANGEBYRANK', key, '1', String(-MAX - 1)],
]);
const buildAscending = async (redis: Redis, key: string, ids: number[]) => {
  const members: (string | number)[] = [0, ZSET_MARKER];
  for (const id of ids) members.push(id, id);
  await redis.zadd(key, ...members);
};

const buildList = async (redis: Redis, key: string, ids: number[]) => {
  await redis.rpush(key, ...[...ids].reverse().map(String));
};

const STRUCTURES: Structure[] = [
  {
    label: 'zset, oldest first (before)',
    suffix: 'zasc',
    encoding: 'listpack',
    build: buildAscending,
    commands: ascending,
  },
  {
    // A new post has the lowest score, so it goes in at the head of the listpack; the marker
    // stays at rank 0 with score -inf.
    label: 'zset, newest first (-score)',
    suffix: 'zdesc',
    encoding: 'listpack',
    build: async (redis, key, ids) => {
      const members: (string | number)[] = ['-inf', ZSET_MARKER];
      for (const id of ids) members.push(-id, id);
      await redis.zadd(key, ...members);
    },
    commands: each((key, id) => [
      ['ZADD', key, String(-id), String(id)],
      ['ZREMRANGEBYRANK', key, String(MAX + 1), '-1'],
    ]),
  },
  {
    label: 'list, LPUSH + LTRIM',
    suffix: 'list',
    encoding: 'quicklist',
    build: buildList,
    commands: each((key, id) => [
      ['LPUSH', key, String(id)],
      ['LTRIM', key, '0', String(MAX - 1)],
    ]),
  },
  {
    // Writes only a timeline that exists (an absent one is rebuilt from PostgreSQL when read).
    label: 'list, LPUSHX + LTRIM',
    suffix: 'listx',
    encoding: 'quicklist',
    build: buildList,
    commands: each((key, id) => [
      ['LPUSHX', key, String(id)],
      ['LTRIM', key, '0', String(MAX - 1)],
    ]),
  },
  {
    // The service's timelines: a list kept in id order with no duplicates by its script (PUSH,
    // src/timelines/timeline-scripts.ts), here called once per timeline; only its fast path runs.
    label: 'list, ordered by Lua, 1 a call',
    suffix: 'listlua1',
    encoding: 'quicklist',
    build: buildList,
    commands: each((key, id) => [['EVALSHA', scriptSha, '1', key, String(MAX), '', String(id)]]),
  },
  {
    // The same script as the service calls it on one Redis: one call for a slice of timelines.
    label: `list, ordered by Lua (service)`,
    suffix: 'listlua',
    encoding: 'quicklist',
    build: buildList,
    keysPerCall: BULK_SLICE,
    commands: (keys, id) => [['EVALSHA', scriptSha, String(keys.length), ...keys, String(MAX), '', String(id)]],
  },
  {
    // The sorted set's order and commands, in one that has become a skiplist: one member longer
    // than zset-max-listpack-value converts it, and Redis 7.0 never converts it back.
    label: 'zset, skiplist (oldest first)',
    suffix: 'zskip',
    encoding: 'skiplist',
    build: async (redis, key, ids) => {
      await buildAscending(redis, key, ids);
      const long = 'x'.repeat(200);
      await redis.zadd(key, 1, long);
      await redis.zrem(key, long);
    },
    commands: ascending,
  },
];

type Transport = 'raw' | 'ioredis';
interface Row {
  structure: Structure;
  transport: Transport;
  /** Writes post `id` into every timeline; returns the seconds it took. */
  run(id: number): Promise<number>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      timelines: { type: 'string', default: '10000' },
      batch: { type: 'string', default: '1000' },
      rounds: { type: 'string', default: '3' },
      redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    },
  });
  const timelines = Number(values.timelines);
  const batch = Number(values.batch);
  const rounds = Number(values.rounds);
  if (!(timelines > 0 && batch > 0 && rounds > 0)) throw new Error('--timelines, --batch and --rounds take positive numbers');
  const redisUrl = values.redis!;
  const prefix = `bench-writes-${process.pid}:`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  let cleaning: Promise<void> | undefined;
  const cleanUp = () => (cleaning ??= clean(redis, prefix));
  process.once('SIGINT', () => {
    process.stderr.write('\ninterrupted: deleting the run keys...\n');
    void cleanUp().finally(() => process.exit(130));
  });

  const progress = new Progress();
  const url = new URL(redisUrl);
  const socket = await open(Number(url.port || 6379), url.hostname);
  try {
    await roundTrip(socket, Buffer.from(command('SELECT', String(redisDb(redisUrl)))), 1);
    await ensureListpack(redis, MAX + 2);
    scriptSha = (await redis.script('LOAD', PUSH)) as string;
    const userIds = Array.from({ length: timelines }, (_, i) => String(i + 1));
    const keysOf = new Map(STRUCTURES.map((s) => [s, userIds.map((id) => `${prefix}{u:${id}}:${s.suffix}`)]));
    const ids = Array.from({ length: MAX }, (_, i) => FIRST_ID + i);

    progress.start('filling timelines', STRUCTURES.length);
    for (const [i, structure] of STRUCTURES.entries()) {
      await fill(redis, prefix, structure, keysOf.get(structure)!, ids);
      progress.update(i + 1, structure.label);
    }
    progress.finish(`${STRUCTURES.length} × ${timelines.toLocaleString('en-US')} timelines of ${MAX}`);

    const rows: Row[] = [];
    for (const structure of STRUCTURES) {
      const keys = keysOf.get(structure)!;
      rows.push({ structure, transport: 'raw', run: (id) => rawWrite(socket, keys, structure, id) });
      rows.push({
        structure,
        transport: 'ioredis',
        run: (id) => pipelinedWrite(redis, keys, batch, structure.keysPerCall ?? 1, (pipeline, group) => {
          for (const [name, ...args] of structure.commands(group, id)) pipeline.call(name, ...args);
        }),
      });
    }
    // What the service's own code does, on its structure.
    const service = new TimelineRepository(redis, new RedisKeys(prefix), redis);
    const serviceStructure = STRUCTURES.find((st) => st.suffix === 'listlua')!;
    const serviceKeys = keysOf.get(serviceStructure)!;
    const serviceRow: Row = {
      structure: serviceStructure,
      transport: 'ioredis',
      run: (id) => timed(async () => {
        for (let i = 0; i < serviceKeys.length; i += batch) await service.addToMany(serviceKeys.slice(i, i + batch), [String(id)], MAX);
      }),
    };
    const allRows = [...rows, serviceRow];

    const samples = new Map<Row, number[]>(allRows.map((r) => [r, []]));
    let nextId = FIRST_ID + 1_000_000;
    for (let round = 0; round < rounds; round++) {
      progress.start(`round ${round + 1}/${rounds}`, allRows.length);
      for (let i = 0; i < allRows.length; i++) {
        // Rotated, so that no structure always runs first (or right after the slowest).
        const row = allRows[(i + round * 3) % allRows.length];
        const seconds = await row.run(nextId++);
        samples.get(row)!.push(timelines / seconds);
        progress.update(i + 1, `${rowName(row, row === serviceRow)}: ${fmt(timelines / seconds)}/s`);
      }
      progress.finish();
    }

    progress.start('measuring memory', STRUCTURES.length);
    const memory = new Map<Structure, { encoding: string; bytesPerEntry: number; entries: number }>();
    for (const [i, structure] of STRUCTURES.entries()) {
      memory.set(structure, await measureMemory(redis, keysOf.get(structure)!));
      progress.update(i + 1, structure.label);
    }
    progress.finish();

    const info = await redis.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const rate = (structure: Structure, transport: Transport) =>
      median(samples.get(rows.find((r) => r.structure === structure && r.transport === transport)!)!);
    const fastest = (transport: Transport) => Math.max(...STRUCTURES.map((s) => rate(s, transport)));
    const before = (transport: Transport) => rate(STRUCTURES[0], transport);

    console.log(
      `\nOne post into ${fmt(timelines)} full timelines (${MAX} posts each), writes/s, median of ${rounds} interleaved round${rounds > 1 ? 's' : ''}.` +
        `\nRedis ${version}; raw: every command in one RESP buffer down a socket; ioredis: pipelines of ${fmt(batch)} timelines in turn.`,
    );
    const header = ['structure'.padEnd(30), 'encoding'.padEnd(9), 'B/entry', '  raw RESP', '÷fastest', '÷before', '   ioredis', '÷fastest', '÷before'];
    console.log(header.join('  '));
    console.log(header.map((h) => '-'.repeat(h.length)).join('  '));
    for (const structure of STRUCTURES) {
      const mem = memory.get(structure)!;
      const cells = [structure.label.padEnd(30), mem.encoding.padEnd(9), mem.bytesPerEntry.toFixed(1).padStart(7)];
      for (const transport of ['raw', 'ioredis'] as Transport[]) {
        const r = rate(structure, transport);
        cells.push(fmt(r).padStart(10), (r / fastest(transport)).toFixed(2).padStart(8), (r / before(transport)).toFixed(2).padStart(7));
      }
      console.log(cells.join('  '));
    }
    const serviceRate = median(samples.get(serviceRow)!);
    console.log(
      `${'service code'.padEnd(30)}  ${'quicklist'.padEnd(9)}  ${'(same)'.padStart(7)}  ${'-'.padStart(10)}  ${'-'.padStart(8)}  ${'-'.padStart(7)}  ` +
        `${fmt(serviceRate).padStart(10)}  ${(serviceRate / fastest('ioredis')).toFixed(2).padStart(8)}  ${(serviceRate / before('ioredis')).toFixed(2).padStart(7)}`,
    );
    console.log(`(service code: TimelineRepository.addToMany on the "${serviceStructure.label}" timelines)`);
    for (const structure of STRUCTURES) {
      const mem = memory.get(structure)!;
      if (mem.encoding !== structure.encoding) console.log(`warning: ${structure.label} is ${mem.encoding}, expected ${structure.encoding}`);
      if (mem.entries !== MAX + (structure.suffix.startsWith('z') ? 1 : 0)) console.log(`warning: ${structure.label} holds ${mem.entries} entries`);
    }
  } finally {
    socket.destroy();
    progress.start('deleting the run keys');
    await cleanUp();
    progress.finish();
    redis.disconnect();
  }
}

function rowName(row: Row, service: boolean): string {
  return service ? 'service code' : `${row.structure.label} (${row.transport})`;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** The limit: the whole write prepared (untimed) as one RESP buffer, then sent and its replies counted. */
async function rawWrite(socket: Socket, keys: string[], structure: Structure, id: number): Promise<number> {
  const parts: string[] = [];
  let replies = 0;
  for (const group of groups(keys, structure.keysPerCall ?? 1)) {
    for (const args of structure.commands(group, id)) {
      parts.push(command(...args));
      replies++;
    }
  }
  const payload = Buffer.from(parts.join(''));
  return timed(() => roundTrip(socket, payload, replies));
}

async function pipelinedWrite(
  redis: Redis,
  keys: string[],
  batch: number,
  keysPerCall: number,
  add: (pipeline: ReturnType<Redis['pipeline']>, group: string[]) => void,
): Promise<number> {
  return timed(async () => {
    for (let i = 0; i < keys.length; i += batch) {
      const pipeline = redis.pipeline();
      for (const group of groups(keys.slice(i, i + batch), keysPerCall)) add(pipeline, group);
      for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
    }
  });
}

function groups(keys: string[], size: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < keys.length; i += size) out.push(keys.slice(i, i + size));
  return out;
}

/** One timeline built with the structure's own commands, then COPYed server-side to every key. */
async function fill(redis: Redis, prefix: string, structure: Structure, keys: string[], ids: number[]): Promise<void> {
  const template = `${prefix}template:${structure.suffix}`;
  await structure.build(redis, template, ids);
  for (let i = 0; i < keys.length; i += 1000) {
    const pipeline = redis.pipeline();
    for (const key of keys.slice(i, i + 1000)) pipeline.copy(template, key, 'REPLACE');
    for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
  }
  await redis.del(template);
}

/** MEMORY USAGE (key included) over the entries, summed over timelines spread across the run. */
async function measureMemory(redis: Redis, keys: string[]): Promise<{ encoding: string; bytesPerEntry: number; entries: number }> {
  const step = Math.max(1, Math.floor(keys.length / SAMPLED_KEYS));
  let bytes = 0;
  let entries = 0;
  let encoding = '';
  let sampleEntries = 0;
  for (let i = 0; i < keys.length; i += step) {
    const key = keys[i];
    const type = await redis.type(key);
    const n = type === 'list' ? await redis.llen(key) : await redis.zcard(key);
    bytes += Number(await redis.memory('USAGE', key, 'SAMPLES', '0'));
    entries += n;
    sampleEntries = n;
    const e = String(await redis.object('ENCODING', key));
    encoding = encoding && encoding !== e ? 'mixed' : e;
  }
  return { encoding, bytesPerEntry: bytes / entries, entries: sampleEntries };
}

/** Raises zset-max-listpack-entries so a full sorted set is a listpack, as the service did; never lowers it. */
async function ensureListpack(redis: Redis, wanted: number): Promise<void> {
  const [, current] = (await redis.config('GET', 'zset-max-listpack-entries')) as string[];
  if (Number(current) < wanted) await redis.config('SET', 'zset-max-listpack-entries', String(wanted));
}

async function clean(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (found.length > 0) await redis.unlink(...found);
    cursor = next;
  } while (cursor !== '0');
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
