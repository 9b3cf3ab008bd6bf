import Redis from 'ioredis';
import { join } from 'node:path';
import { RedisDbClaim } from '../bench/redis-db-claim';
import { runScript } from './support/processes';
import { TEST_REDIS_SERVER } from './support/servers';

jest.setTimeout(60_000);

const SCRIPT = join(__dirname, '..', 'dist', 'bench', 'timeline-writes.js');
// Each row as the script prints it: label, encoding, bytes per entry, then writes/s and two ratios
// for the raw socket and again for ioredis.
const NUMBER = '[\\d,.]+';
const ROWS: [string, string][] = [
  ['zset, oldest first (before)', 'listpack'],
  ['zset, newest first (-score)', 'listpack'],
  ['list, LPUSH + LTRIM', 'quicklist'],
  ['list, LPUSHX + LTRIM', 'quicklist'],
  ['list, ordered by Lua (service)', 'quicklist'],
  ['zset, skiplist (oldest first)', 'skiplist'],
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// The structure benchmark at a tiny size, so that it cannot rot: every structure measured over
// both transports, in the encoding it claims, and nothing left behind in Redis.
describe('bench:writes (smoke run)', () => {
  let claim: RedisDbClaim;

  beforeAll(async () => {
    claim = await RedisDbClaim.take(TEST_REDIS_SERVER);
  });

  afterAll(() => claim.release());

  it("prints every structure's row and deletes its keys", async () => {
    const run = await runScript(SCRIPT, ['--timelines', '50', '--rounds', '1', '--batch', '20', '--redis', claim.url], 50_000);
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });

    for (const [label, encoding] of ROWS) {
      const cells = [escape(label), encoding, ...Array(7).fill(NUMBER)].join('\\s+');
      expect(run.stdout).toMatch(new RegExp(`^${cells}$`, 'm'));
    }
    expect(run.stdout).toMatch(new RegExp(`^service code\\s+quicklist\\s+\\(same\\)(\\s+-){3}(\\s+${NUMBER}){3}$`, 'm'));
    expect(run.stdout).not.toContain('warning');
    expect(run.stderr).toContain('round 1/1');

    const redis = new Redis(claim.url, { maxRetriesPerRequest: 1 });
    try {
      expect(await redis.dbsize()).toBe(0);
    } finally {
      redis.disconnect();
    }
  });
});
