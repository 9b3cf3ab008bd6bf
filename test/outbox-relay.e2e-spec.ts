import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { UnrecoverableError, Worker } from 'bullmq';
import { Client } from 'pg';
import { AppConfig } from '../src/config/app-config';
import { FanoutPost, QueueName } from '../src/jobs/job-catalogue';
import { JobQueue } from '../src/jobs/job-queue';
import { OutboxRelay } from '../src/jobs/outbox-relay.service';
import { OutboxRepository } from '../src/jobs/outbox.repository';
import { OutboxMetrics } from '../src/metrics/outbox.metrics';
import { RedisFactory } from '../src/redis/redis-factory';
import { RedisKeys } from '../src/redis/redis-keys';
import { ApiClient, eventually } from './support/api-client';
import { TestEnv } from './support/test-env';

jest.setTimeout(60_000);

/**
 * The relay against real PostgreSQL and BullMQ. An API process has the queues but no workers, so
 * jobs stay where the test puts them; relays are built from its parts and run one pass at a time.
 * Time is moved forward by ageing the rows in SQL, never waited for.
 */
describe('outbox relay: shared work, attempts and dead letters', () => {
  let env: TestEnv;
  let app: NestFastifyApplication;
  let api: ApiClient;
  let sql: Client;
  let nextPostId = 9_000_000;
  // Stale only when the test says so: an hour is past any pass the test runs.
  const overrides = { ROLE: 'api', OUTBOX_RELAY_AFTER_MS: '3600000', OUTBOX_MAX_ATTEMPTS: '3' };

  beforeAll(async () => {
    env = await TestEnv.create();
    ({ app, url: api } = await env.startApp(overrides).then(({ app, url }) => ({ app, url: new ApiClient(url) })));
    sql = await env.sql();
  });

  afterAll(() => env.close());

  const relay = () =>
    new OutboxRelay(
      app.get(OutboxRepository, { strict: false }),
      app.get(JobQueue, { strict: false }),
      app.get(AppConfig),
      app.get(OutboxMetrics, { strict: false }),
    );

  /** Outbox rows of fan-outs whose enqueue never happened, written two hours ago. */
  async function staleRows(n: number): Promise<string[]> {
    const ids = Array.from({ length: n }, () => String(++nextPostId));
    await sql.query(
      `INSERT INTO outbox (kind, job_id, payload, created_at)
       SELECT 'fanout-post', 'post-' || id, json_build_object('postId', id, 'authorId', '1'), now() - interval '2 hours'
       FROM unnest($1::text[]) AS id`,
      [ids],
    );
    return ids.map((id) => `post-${id}`);
  }

  /** Two hours pass for these rows. */
  const age = (jobIds: string[]) =>
    sql.query(
      `UPDATE outbox SET created_at = created_at - interval '2 hours', enqueued_at = enqueued_at - interval '2 hours'
       WHERE job_id = ANY($1)`,
      [jobIds],
    );

  const attempts = async (jobIds: string[]) =>
    (await sql.query(`SELECT attempts FROM outbox WHERE job_id = ANY($1)`, [jobIds])).rows.map((r) => r.attempts as number);
  /** How many of these rows were enqueued by a relay (enqueued_at set). */
  const enqueued = async (jobIds: string[]) =>
    (await sql.query(`SELECT count(*)::int AS n FROM outbox WHERE job_id = ANY($1) AND enqueued_at IS NOT NULL`, [jobIds])).rows[0].n;

  it('skips the rows another relay holds (FOR UPDATE SKIP LOCKED), so two relays share them', async () => {
    const rows = await staleRows(40);
    const held = rows.slice(0, 15);
    // Another relay in the middle of its pass: its rows are locked until it commits.
    const other = await env.sql();
    await other.query('BEGIN');
    await other.query('SELECT id FROM outbox WHERE job_id = ANY($1) FOR UPDATE', [held]);
    await expect(relay().relayOnce()).resolves.toBe(25);
    expect(await enqueued(held)).toBe(0);
    await other.query('COMMIT');

    await expect(relay().relayOnce()).resolves.toBe(15);
    expect(await enqueued(rows)).toBe(40);
    expect((await app.get(JobQueue, { strict: false }).depths())[QueueName.Fanout]).toBe(40);

    // Later still, their jobs are still waiting: nothing to redo, and no attempt is spent (a job
    // that was missing is not a failed one either).
    await age(rows);
    await expect(relay().relayOnce()).resolves.toBe(0);
    expect(await attempts(rows)).toEqual(Array(40).fill(0));
  });

  it('enqueues each row once when two relays run at the same moment', async () => {
    const rows = await staleRows(60);
    const passes = await Promise.all([relay().relayOnce(), relay().relayOnce()]);
    expect(passes[0] + passes[1]).toBe(60);
    expect(await enqueued(rows)).toBe(60);
  });

  it('dead-letters a row whose job always fails after OUTBOX_MAX_ATTEMPTS, and shows it in the metrics', async () => {
    const queue = app.get(JobQueue, { strict: false });
    const prefix = app.get(RedisKeys, { strict: false }).queuePrefix();
    const failing = new Worker(
      QueueName.Fanout,
      async () => {
        throw new UnrecoverableError('always fails');
      },
      // The app's own queue connection: one Redis or the cluster, as the test runs.
      { connection: app.get(RedisFactory, { strict: false }).queueConnection(), prefix },
    );
    try {
      const [row] = await staleRows(1);
      const payload = { postId: row.slice('post-'.length), authorId: '1' };
      // The first enqueue (its job was never there) is no attempt; each one after a failure is.
      for (let attempt = 0; attempt <= 3; attempt++) {
        await expect(relay().relayOnce()).resolves.toBe(1);
        expect(await attempts([row])).toEqual([attempt]);
        await eventually(async () => expect(await queue.jobState(FanoutPost, payload)).toBe('failed'));
        await age([row]);
      }
      await relay().relayOnce();
      const { rows } = await sql.query(`SELECT attempts, dead_at, done_at FROM outbox WHERE job_id = $1`, [row]);
      expect(rows[0].attempts).toBe(3);
      expect(rows[0].dead_at).not.toBeNull();
      expect(rows[0].done_at).toBeNull();

      // Dead rows are left alone by every later pass.
      await age([row]);
      await relay().relayOnce();
      expect(await attempts([row])).toEqual([3]);
      expect(await queue.jobState(FanoutPost, payload)).toBe('failed');

      const metrics = (await api.get('/metrics')).text;
      expect(metrics).toMatch(/^feed_outbox_dead_letters 1$/m);
      expect(metrics).toMatch(/^feed_outbox_dead_lettered_total 1$/m);
      expect(metrics).toMatch(/^feed_outbox_relayed_total \d+$/m);
    } finally {
      await failing.close();
    }
  });
});
