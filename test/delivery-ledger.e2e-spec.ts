import { DeliveryLedger } from '../src/realtime/delivery-ledger.repository';
import { TestRedis, TestRedisTarget } from './support/test-redis';

// The live-push ledger on the real Redis (one server, or the cluster in the e2e-cluster project):
// a replayed batch, or the walk after an online-first pass, pushes only to users not pushed to yet.
describe('delivery ledger', () => {
  let target: TestRedisTarget;
  let redis: TestRedis;
  let ledger: DeliveryLedger;

  beforeAll(async () => {
    target = await TestRedisTarget.create();
    redis = target.client();
    ledger = new DeliveryLedger(redis, redis.keys);
  });

  afterAll(async () => {
    redis.disconnect();
    await target.release();
  });

  it('answers each user once per post, in the order given, across every shard', async () => {
    const users = Array.from({ length: 200 }, (_, i) => String(1000 + i));
    expect(await ledger.claim('901', users.slice(0, 120))).toEqual(users.slice(0, 120));
    // A replay of part of it, with users never claimed before, and one given twice.
    const replay = [...users.slice(100, 200), users[150]];
    expect(await ledger.claim('901', replay)).toEqual(users.slice(120, 200));
    expect(await ledger.claim('901', users)).toEqual([]);
    // Another post has a ledger of its own.
    expect(await ledger.claim('902', users.slice(0, 3))).toEqual(users.slice(0, 3));
  });

  it('expires a post’s ledger on its own', async () => {
    await ledger.claim('903', ['1', '2', '3']);
    const shards = Array.from({ length: 16 }, (_, shard) => redis.keys.livePushes('903', shard));
    const ttls = await Promise.all(shards.map((key) => redis.ttl(key)));
    const held = ttls.filter((ttl) => ttl !== -2);
    expect(held.length).toBeGreaterThan(0);
    for (const ttl of held) expect(ttl).toBeGreaterThan(5 * 3600);
  });
});
