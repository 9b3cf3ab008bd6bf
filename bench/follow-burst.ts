/**
 * A viral account: how to keep follower counts when thousands follow one account at once. Side by
 * side in one run, each strategy gets the same burst (N follows of one fresh account, C in flight,
 * each follow a transaction with the edge, its counts and an outbox row, as FollowsService does):
 *
 * - `row lock FOR UPDATE (before)`: the code before the fix, both users rows locked FOR UPDATE in
 *   id order and incremented. FOR UPDATE conflicts with the KEY SHARE locks the follows foreign
 *   keys take, so concurrent follows of one account deadlock.
 * - `row lock NO KEY UPDATE`: the smallest fix of that: no deadlock, but every follow of the
 *   account waits for the one before it to commit (the hot row).
 * - `deltas + folder (ours)`: the real FollowsRepository (src/graph; a delta row per user, no lock on users)
 *   with the real FollowCountsFolder folding every second while the burst runs.
 * - `count(*) on read`: no counter at all; the profile counts the follows rows on every read.
 *
 * Then the read each strategy needs for a profile, on an account with --big followers (the
 * deltas strategy with a second's worth of deltas pending). A burst stops sending after --budget-s
 * (the strategy before the fix would otherwise run for many minutes). Prints follows/s, latencies, errors,
 * read cost, and ratios against ours. Everything runs in a database created and dropped here.
 *
 *   node dist/bench/follow-burst.js [--follows 2000] [--in-flight 25] [--rounds 3] [--big 100000] [--budget-s 20] [--database-server postgres://postgres@127.0.0.1:5432]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options';
import { Database, Tx } from '../src/database/database';
import { migrate } from '../src/database/migrate';
import { FollowCountsFolder } from '../src/follows/follow-counts.folder';
import { FollowCountsRepository } from '../src/follows/follow-counts.repository';
import { FollowsRepository } from '../src/graph/follows.repository';
import { followersCount, pendingCountsJoin } from '../src/users/user-counts';
import { ratio, round, summarize } from './stats';

interface Strategy {
  /** The counts' part of a follow, in the follow's transaction; returns whether the edge was new. */
  follow(tx: Tx, followerId: string, followeeId: string): Promise<boolean>;
  /** The followers count of a profile read. */
  readSql: string;
}

const EDGE = 'INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING seq';

function rowLock(mode: 'UPDATE' | 'NO KEY UPDATE', db: Database): Strategy['follow'] {
  return async (tx, followerId, followeeId) => {
    if (!(await db.one(EDGE, [followerId, followeeId], tx))) return false;
    await db.execute(
      `UPDATE users SET
         following_count = following_count + CASE WHEN id = $1 THEN 1 ELSE 0 END,
         followers_count = followers_count + CASE WHEN id = $2 THEN 1 ELSE 0 END
       WHERE id IN (SELECT id FROM users WHERE id IN ($1, $2) ORDER BY id FOR ${mode})`,
      [followerId, followeeId],
      tx,
    );
    return true;
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      follows: { type: 'string', default: '2000' },
      'in-flight': { type: 'string', default: '25' },
      rounds: { type: 'string', default: '3' },
      big: { type: 'string', default: '100000' },
      'budget-s': { type: 'string', default: '20' },
      'database-server': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432' },
    },
  });
  const follows = Number(values.follows);
  const inFlight = Number(values['in-flight']);
  const rounds = Number(values.rounds);
  const big = Number(values.big);
  const budgetMs = Number(values['budget-s']) * 1000;
  const server = values['database-server']!;
  const name = `feed_bench_follows_${process.pid}_${randomBytes(3).toString('hex')}`;
  const url = `${server}/${name}`;
  await migrate(url, { log: () => undefined } as never);
  try {
    await run(url, { follows, inFlight, rounds, big, budgetMs });
  } finally {
    const admin = new Client({ connectionString: `${server}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

interface RunOptions {
  follows: number;
  inFlight: number;
  rounds: number;
  big: number;
  budgetMs: number;
}

async function run(url: string, { follows, inFlight, rounds, big, budgetMs }: RunOptions): Promise<void> {
  // Two API processes' worth of connections; statements bounded as in the app, a little tighter so
  // that a stuck strategy shows as errors, not as a run that never ends.
  const options = dataSourceOptions(url);
  const dataSource = new DataSource({ ...options, extra: { ...(options as { extra: object }).extra, max: 40, statement_timeout: 5_000 } } as never);
  await dataSource.initialize();
  const db = new Database(dataSource);
  const sql = new Client({ connectionString: url });
  await sql.connect();
  const folder = new FollowCountsFolder(new FollowCountsRepository(db));
  const repository = new FollowsRepository(db);

  const plainCount = 'SELECT followers_count AS n FROM users WHERE id = $1';
  const strategies: Record<string, Strategy> = {
    'row lock FOR UPDATE (before)': { follow: rowLock('UPDATE', db), readSql: plainCount },
    'row lock NO KEY UPDATE': { follow: rowLock('NO KEY UPDATE', db), readSql: plainCount },
    'deltas + folder (ours)': {
      follow: async (tx, a, b) => (await repository.add(tx, a, b, undefined)).seq !== undefined,
      readSql: `SELECT ${followersCount('u')} AS n FROM users u ${pendingCountsJoin('u')} WHERE u.id = $1`,
    },
    'count(*) on read': {
      follow: async (tx, a, b) => (await db.one(EDGE, [a, b], tx)) !== undefined,
      readSql: 'SELECT count(*)::int AS n FROM follows WHERE followee_id = $1',
    },
  };
  const ours = 'deltas + folder (ours)';

  let seeded = 0;
  const seedUsers = async (count: number, prefix: string): Promise<string[]> =>
    (
      await sql.query<{ id: string }>(
        `INSERT INTO users (username, display_name, password_hash)
         SELECT $1 || n, $1 || n, 'x' FROM generate_series(1, $2) n RETURNING id`,
        [`${prefix}${seeded++}_`, count],
      )
    ).rows.map((r) => r.id);

  const rates: Record<string, number[]> = {};
  const latencies: Record<string, number[]> = {};
  const errors: Record<string, Record<string, number>> = {};
  const exact: Record<string, boolean> = {};
  let job = 0;
  folder.onApplicationBootstrap();
  for (let round_ = 0; round_ < rounds; round_++) {
    // Interleaved rounds: each strategy sees the same machine noise.
    for (const [label, strategy] of Object.entries(strategies)) {
      const [star] = await seedUsers(1, 's');
      const fans = await seedUsers(follows, 'f');
      let next = 0;
      let ok = 0;
      const started = process.hrtime.bigint();
      const deadline = Date.now() + budgetMs;
      const lane = async () => {
        while (next < fans.length && Date.now() < deadline) {
          const fan = fans[next++];
          const t0 = process.hrtime.bigint();
          try {
            await db.transaction(async (tx) => {
              if (await strategy.follow(tx, fan, star)) {
                await db.execute('INSERT INTO outbox (kind, job_id, payload) VALUES ($1, $2, $3)', [
                  'merge-followee',
                  `bench-follow-${job++}`,
                  { followerId: fan, followeeId: star },
                ], tx);
              }
            });
            ok++;
            (latencies[label] ??= []).push(Number(process.hrtime.bigint() - t0) / 1e6);
          } catch (err) {
            const kind = /deadlock/.test((err as Error).message) ? 'deadlock' : /timeout|cancel/.test((err as Error).message) ? 'timeout' : 'other';
            (errors[label] ??= {})[kind] = ((errors[label] ??= {})[kind] ?? 0) + 1;
          }
        }
      };
      await Promise.all(Array.from({ length: inFlight }, lane));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      (rates[label] ??= []).push(ok / seconds);
      const counted = (await db.one<{ n: number }>(strategy.readSql, [star]))!.n;
      const truth = Number((await sql.query('SELECT count(*) FROM follows WHERE followee_id = $1', [star])).rows[0].count);
      exact[label] = (exact[label] ?? true) && counted === truth;
      if (next < fans.length) {
        const kind = `not sent in ${budgetMs / 1000} s`;
        (errors[label] ??= {})[kind] = (errors[label][kind] ?? 0) + fans.length - next;
      }
      process.stderr.write(`round ${round_ + 1}/${rounds} ${label}: ${Math.round(ok / seconds)} follows/s, ${follows - ok} failed or not sent\n`);
    }
  }
  await folder.onApplicationShutdown();

  // The read: one account with `big` followers, and for ours a second's worth of deltas pending.
  process.stderr.write(`seeding an account with ${big} followers for the read...\n`);
  const [celebrity] = await seedUsers(1, 'celebrity');
  const crowd = await seedUsers(big, 'crowd');
  await sql.query('INSERT INTO follows (follower_id, followee_id) SELECT unnest($1::bigint[]), $2', [crowd, celebrity]);
  await sql.query('UPDATE users SET followers_count = $2 WHERE id = $1', [celebrity, big]);
  const pendingPerSecond = Math.round(Math.max(...rates[ours]));
  await sql.query(
    'INSERT INTO follow_count_deltas (user_id, followers, following) SELECT $1, 0, 0 FROM generate_series(1, $2)',
    [celebrity, pendingPerSecond],
  );
  await sql.query('VACUUM ANALYZE');
  const reads: Record<string, number> = {};
  for (const [label, strategy] of Object.entries(strategies)) {
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = process.hrtime.bigint();
      await db.one(strategy.readSql, [celebrity]);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    reads[label] = summarize(times).p50!;
  }

  const oursRate = median(rates[ours]);
  console.log(`\n${follows} follows of one account, ${inFlight} in flight, 40 connections, median of ${rounds} rounds`);
  console.log(`profile read: an account with ${big} followers (ours with ${pendingPerSecond} deltas pending)\n`);
  console.log('strategy                       follows/s  vs ours  p50 ms  p99 ms  max ms  errors                                          exact  read p50 ms');
  for (const label of Object.keys(strategies)) {
    const rate = median(rates[label]);
    const lat = summarize(latencies[label] ?? []);
    const errs = Object.entries(errors[label] ?? {}).map(([k, n]) => `${n} ${k}`).join(', ') || '0';
    console.log(
      `${label.padEnd(30)} ${String(Math.round(rate)).padStart(9)}  ${String(ratio(rate, oursRate)).padStart(7)}  ${String(lat.p50).padStart(6)}  ${String(lat.p99).padStart(6)}  ${String(lat.max).padStart(6)}  ${errs.padEnd(47)} ${String(exact[label]).padEnd(5)}  ${String(round(reads[label], 2)).padStart(11)}`,
    );
  }

  await sql.end();
  await dataSource.destroy();
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
