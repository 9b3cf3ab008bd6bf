import calculateSlot from 'cluster-key-slot';
import { RedisBatch } from './redis-batch';
import { RedisClient } from './redis-client';

type Reply = [Error | null, unknown];

/**
 * A client whose pipelines answer each command with its own text (or as `answer` says), and which
 * records every pipeline.
 */
function fakeClient(cluster: { slots: string[][] } | null, answer = (c: unknown[]): Reply => (c[0] === 'fail' ? [new Error('boom'), null] : [null, c.join(' ')])) {
  const pipelines: unknown[][][] = [];
  const client = {
    isCluster: cluster !== null,
    slots: cluster?.slots,
    pipeline: (commands: unknown[][]) => {
      pipelines.push(commands);
      return { exec: async () => commands.map(answer) };
    },
  };
  return { client: client as unknown as RedisClient, pipelines };
}

/** Slots 0-5460 on a, 5461-10922 on b, the rest on c, as redis-cli --cluster create lays out three masters. */
function threeMasters(): { slots: string[][] } {
  const slots: string[][] = [];
  for (let slot = 0; slot < 16384; slot++) slots.push([slot <= 5460 ? 'a' : slot <= 10922 ? 'b' : 'c']);
  return { slots };
}

describe('RedisBatch', () => {
  it('sends everything as one pipeline on one Redis', async () => {
    const { client, pipelines } = fakeClient(null);
    const results = await new RedisBatch(client).add('get', 'x{u:1}').add('get', 'x{u:2}').add('get', 'x{u:3}').exec();
    expect(pipelines).toHaveLength(1);
    expect(results.map(([, v]) => v)).toEqual(['get x{u:1}', 'get x{u:2}', 'get x{u:3}']);
  });

  it('on a cluster, sends one pipeline per master, each holding only that master’s keys, results in order', async () => {
    const { client, pipelines } = fakeClient(threeMasters());
    const batch = new RedisBatch(client);
    const keys = Array.from({ length: 300 }, (_, i) => `feed:{u:${i}}:home`);
    for (const key of keys) batch.add('zadd', key, 1, '1');
    const results = await batch.exec();

    expect(pipelines).toHaveLength(3);
    for (const pipeline of pipelines) {
      const owners = new Set(pipeline.map((c) => threeMasters().slots[calculateSlot(c[1] as string)][0]));
      expect(owners.size).toBe(1);
    }
    expect(results.map(([, v]) => v)).toEqual(keys.map((key) => `zadd ${key} 1 1`));
  });

  it('sends a many-key command once for all its keys on one Redis', async () => {
    const { client, pipelines } = fakeClient(null);
    const keys = ['t{u:1}', 't{u:2}', 't{u:3}'];
    const results = await new RedisBatch(client).addForKeys('push', keys, 800, '42').exec();
    expect(pipelines).toEqual([[['push', 3, ...keys, 800, '42']]]);
    expect(results).toHaveLength(1);
  });

  it('on a cluster, sends a many-key command once per slot, each to the master owning that slot', async () => {
    const { client, pipelines } = fakeClient(threeMasters());
    // {u:1} twice (two keys of one user share a slot), then users in other slots.
    const keys = ['a{u:1}', 'b{u:1}', ...Array.from({ length: 40 }, (_, i) => `t{u:${i + 2}}`)];
    await new RedisBatch(client).addForKeys('push', keys, 800, '42').exec();

    const sent = pipelines.flat();
    const slotsOf = (command: unknown[]) => new Set((command.slice(2, 2 + (command[1] as number)) as string[]).map((k) => calculateSlot(k)));
    for (const command of sent) expect(slotsOf(command).size).toBe(1);
    expect(sent.find((command) => command[2] === 'a{u:1}')).toEqual(['push', 2, 'a{u:1}', 'b{u:1}', 800, '42']);
    expect(sent.flatMap((command) => command.slice(2, 2 + (command[1] as number))).sort()).toEqual([...keys].sort());
    for (const pipeline of pipelines) {
      const owners = new Set(pipeline.map((c) => threeMasters().slots[calculateSlot(c[2] as string)][0]));
      expect(owners.size).toBe(1);
    }
  });

  it('gives each command its own error; execOrThrow throws the first', async () => {
    const { client } = fakeClient(threeMasters());
    const batch = new RedisBatch(client).add('get', 'a{u:1}').add('fail', 'b{u:2}');
    expect((await batch.exec()).map(([err]) => err?.message ?? null)).toEqual([null, 'boom']);
    await expect(batch.execOrThrow()).rejects.toThrow('boom');
  });

  it('sends nothing for an empty batch', async () => {
    const { client, pipelines } = fakeClient(threeMasters());
    expect(await new RedisBatch(client).exec()).toEqual([]);
    expect(pipelines).toHaveLength(0);
  });

  it('on a cluster, reads the slot map again and resends, once, the commands answered MOVED', async () => {
    const slots = threeMasters().slots;
    let refreshed = 0;
    const sent: unknown[][][] = [];
    const client = {
      isCluster: true,
      slots,
      refreshSlotsCache: (done: () => void) => {
        refreshed++;
        done();
      },
      pipeline: (commands: unknown[][]) => {
        sent.push(commands);
        return {
          exec: async () =>
            commands.map((c) => (c[1] === 'k{u:2}' && refreshed === 0 ? [new Error('MOVED 1234 127.0.0.1:7101'), null] : [null, 'OK'])),
        };
      },
    } as unknown as RedisClient;
    const results = await new RedisBatch(client).add('set', 'k{u:1}', 'a').add('set', 'k{u:2}', 'b').exec();
    expect(results).toEqual([[null, 'OK'], [null, 'OK']]);
    expect(refreshed).toBe(1);
    expect(sent.at(-1)).toEqual([['set', 'k{u:2}', 'b']]);
  });

  describe('getMany', () => {
    /** A client whose MGET answers `v:KEY` for each key, null for keys starting with `none`, and fails where a key starts with `bad`. */
    const mgetClient = (cluster: { slots: string[][] } | null) =>
      fakeClient(cluster, (c) => {
        const keys = c.slice(1) as string[];
        if (keys.some((k) => k.startsWith('bad'))) return [new Error('LOADING'), null];
        return [null, keys.map((k) => (k.startsWith('none') ? null : `v:${k}`))];
      });

    it('reads every key with one MGET on one Redis, values in the order of the keys', async () => {
      const { client, pipelines } = mgetClient(null);
      const values = await RedisBatch.getMany(client, ['p{u:1}', 'none{u:2}', 'p{u:3}']);
      expect(pipelines).toEqual([[['mget', 'p{u:1}', 'none{u:2}', 'p{u:3}']]]);
      expect(values).toEqual(['v:p{u:1}', null, 'v:p{u:3}']);
    });

    it('on a cluster, sends one MGET per slot and puts the values back in the order of the keys', async () => {
      const { client, pipelines } = mgetClient(threeMasters());
      const keys = ['a{u:1}', ...Array.from({ length: 30 }, (_, i) => `p{u:${i + 2}}`), 'b{u:1}', 'none{u:40}'];
      const values = await RedisBatch.getMany(client, keys);

      for (const command of pipelines.flat()) expect(new Set((command.slice(1) as string[]).map((k) => calculateSlot(k))).size).toBe(1);
      expect(pipelines.flat().find((command) => command[1] === 'a{u:1}')).toEqual(['mget', 'a{u:1}', 'b{u:1}']);
      expect(values).toEqual(keys.map((k) => (k.startsWith('none') ? null : `v:${k}`)));
    });

    it('gives the keys of a slot whose read failed the error, and the others their values', async () => {
      const { client } = mgetClient(threeMasters());
      const values = await RedisBatch.getMany(client, ['p{u:1}', 'bad{u:2}']);
      expect(values[0]).toBe('v:p{u:1}');
      expect(values[1]).toBeInstanceOf(Error);
    });
  });
});
