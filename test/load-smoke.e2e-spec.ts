import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { runScript } from './support/processes';
import { TEST_DATABASE_SERVER, TEST_REDIS_SERVER } from './support/servers';

jest.setTimeout(130_000);

const LOAD = join(__dirname, '..', 'dist', 'bench', 'load.js');
const CLASSES = [10, 100];
const CLIENTS = 10;
const POSTS = 5;
const WINDOW = 50;

// The load script is run at tiny sizes so that it cannot rot: every scenario, the results file,
// the report, and the cleanup of its database.
describe('load script (smoke run)', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'feed-load-smoke-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('seeds, posts, measures every scenario, reports and cleans up', async () => {
    const run = await runScript(LOAD, [
      '--users', '300', '--following', '5', '--seed-posts', '2000',
      '--followers', CLASSES.join(','), '--posts', String(POSTS), '--rate', '20',
      '--clients', String(CLIENTS), '--client-processes', '1', '--big-posts', '3',
      '--inline-posts', '3', '--fairness-posts', '5', '--read-seconds', '0.5',
      // A window of 50, so that 2,000 posts make histories that run below it (deep reads).
      '--env', `TIMELINE_MAX_LENGTH=${WINDOW}`,
      '--results', dir, '--database-server', TEST_DATABASE_SERVER, '--redis-server', TEST_REDIS_SERVER,
    ], 115_000);
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toContain('post → last timeline');
    expect(run.stdout).toContain('Targets');

    const files = readdirSync(dir);
    const jsonFile = files.find((f) => f.endsWith('.json'));
    const htmlFile = files.find((f) => f.endsWith('.html'));
    expect(jsonFile).toBeDefined();
    expect(htmlFile).toBeDefined();
    const results = JSON.parse(readFileSync(join(dir, jsonFile!), 'utf8'));

    expect(results.classes.map((c: { followers: number }) => c.followers)).toEqual(CLASSES);
    for (const c of results.classes) {
      expect(c.posts).toHaveLength(POSTS);
      expect(c.onlineFollowers).toBe(Math.min(c.followers, CLIENTS));
      for (const post of c.posts) {
        expect(post.status).toBe(201);
        expect(post.postMs).toBeGreaterThan(0);
        expect(post.fanout).toMatchObject({ state: 'done', followers: c.followers, delivered: c.followers });
        expect(post.fanout.delayMs).toBeGreaterThanOrEqual(0);
        expect(post.pushes).toMatchObject({ expected: c.onlineFollowers, received: c.onlineFollowers, duplicates: 0 });
        expect(post.pushes.delaysMs).toHaveLength(c.onlineFollowers);
        for (const delay of post.pushes.delaysMs) expect(delay).toBeGreaterThanOrEqual(0);
      }
      const { postMs, fanoutMs, pushMs } = c.summary;
      expect(postMs.n).toBe(POSTS);
      expect(fanoutMs.n).toBe(POSTS);
      expect(pushMs.n).toBe(POSTS * c.onlineFollowers);
      for (const s of [postMs, fanoutMs, pushMs]) expect(s.p50).toBeLessThanOrEqual(s.max);
      expect(c.summary).toMatchObject({ allFinished: true, allPushed: true, duplicatePushes: 0 });
      expect(c.summary.deliveriesPerSec).toBeGreaterThan(0);
    }

    expect(results.big.posts).toHaveLength(3);
    expect(results.big.followers).toBeGreaterThan(CLASSES[CLASSES.length - 1]);
    for (const post of results.big.posts) {
      expect(post.fanout.state).toBe('skipped');
      expect(post.pushes).toMatchObject({ expected: CLIENTS, received: CLIENTS, duplicates: 0 });
    }
    expect(results.inline.map((c: { followers: number }) => c.followers)).toEqual(CLASSES);
    for (const c of results.inline) {
      expect(c.posts).toHaveLength(3);
      expect(c.summary.allFinished).toBe(true);
    }
    expect(results.fairness.idle.posts).toHaveLength(5);
    expect(results.fairness.background.followers).toBe(CLASSES[CLASSES.length - 1]);

    expect(results.rawWrite.timelines).toBe(CLASSES[CLASSES.length - 1]);
    expect(results.rawWrite.perSec).toBeGreaterThan(0);
    expect(results.rawWrite.list.perSec).toBeGreaterThan(0);
    // Two worker lanes by default, each measured.
    expect(Object.keys(results.classes[0].cpu)).toEqual(expect.arrayContaining(['worker', 'worker-bulk']));
    expect(results.targets.map((t: { name: string }) => t.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/vs raw LPUSH \+ LTRIM/), expect.stringMatching(/^worker CPU per timeline write/)]),
    );
    for (const kind of ['http', 'rawRedis', 'sql']) {
      for (const inFlight of ['1', '50']) {
        expect(results.reads[kind][inFlight].perSec).toBeGreaterThan(0);
        expect(results.reads[kind][inFlight].errors).toBe(0);
      }
    }
    // The API's CPU per page: some, and no more than every core of the machine could give it.
    for (const inFlight of ['1', '50']) {
      expect(results.reads.httpCpuUs[inFlight].api).toBeGreaterThan(0);
      expect(results.reads.httpCpuUs[inFlight].api).toBeLessThanOrEqual((cpus().length * 1e6) / results.reads.http[inFlight].perSec);
    }
    expect(results.memory.encoding).toBe('quicklist');
    expect(results.memory.bytesPerEntry).toBeGreaterThan(5);
    expect(results.memory.bytesPerEntry).toBeLessThan(200);
    expect(results.graph.entriesPerTimeline).toBe(WINDOW);
    expect(results.deepReads.readers).toBeGreaterThan(0);
    for (const kind of ['http', 'sql', 'sqlIdsFirst']) {
      for (const inFlight of ['1', '50']) {
        expect(results.deepReads[kind][inFlight].perSec).toBeGreaterThan(0);
        expect(results.deepReads[kind][inFlight].errors).toBe(0);
      }
    }
    expect(results.returning.readers).toBe(10);
    expect(results.returning.following).toBeGreaterThan(50);
    expect(results.returning.coldMs.n).toBe(30);
    expect(results.returning.warmMs.n).toBe(30);
    expect(results.returning.rebuildMs.n).toBe(30);
    for (const plan of [...results.deepReads.plans, ...results.returning.plans]) {
      expect(plan.plan.join('\n')).toMatch(/Execution Time/);
      expect(plan.executionMs).toBeGreaterThan(0);
    }
    // The feed rules' cost, both sides measured in this run, on a graph with replies, reposts, blocks and mutes.
    expect(results.rules).toMatchObject({ followers: CLASSES[CLASSES.length - 1], posts: 10, readErrors: 0 });
    for (const side of ['on', 'off']) {
      expect(results.rules.deliveriesPerSec[side]).toBeGreaterThan(0);
      expect(results.rules.homeReadsPerSec[side]).toBeGreaterThan(0);
    }
    const ruleTargets = results.targets.filter((t: { name: string }) => /FEED_RULES=off/.test(t.name));
    expect(ruleTargets.map((t: { target: string }) => t.target)).toEqual(['≥ 0.85×', '≥ 0.85×']);
    for (const t of ruleTargets) expect(t.ratio).toBeGreaterThan(0);
    expect(results.graph.blocks).toBeGreaterThan(0);
    expect(results.graph.mutes).toBeGreaterThan(0);
    expect(results.targets.length).toBeGreaterThan(3);

    const html = readFileSync(join(dir, htmlFile!), 'utf8');
    expect(html).toMatch(/Chart\.js v4/); // the library's own banner: inlined, not linked
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html.match(/<canvas/g)?.length).toBeGreaterThanOrEqual(8);
    expect(existsSync(join(dir, jsonFile!.replace(/\.json$/, '-logs'), 'api.log'))).toBe(true);

    // Its own database is gone.
    const admin = new Client({ connectionString: `${TEST_DATABASE_SERVER}/postgres` });
    await admin.connect();
    try {
      const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [results.meta.database]);
      expect(rows).toHaveLength(0);
    } finally {
      await admin.end();
    }
  });
});
