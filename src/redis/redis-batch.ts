import calculateSlot from 'cluster-key-slot';
import type { Cluster } from 'ioredis';
import { groupBy } from '../common/group-by';
import { RedisClient } from './redis-client';

export type BatchArg = string | number | Buffer;
/** A command and its one key (or keys of one hash tag), then its other arguments. */
export type BatchCommand = [command: string, key: string, ...args: BatchArg[]];
export type BatchResult = [Error | null, unknown];

/**
 * Many commands on keys of many users in as few round trips as the deployment allows. On one
 * Redis that is one pipeline. On a cluster, one pipeline cannot span masters (ioredis refuses, and
 * a command per key would cost a round trip each), so the commands are grouped by the master that
 * owns each key's slot: one pipeline per master, all sent at once, results given back in the order
 * the commands were added. A fan-out batch of 1,000 timelines on three masters is three round
 * trips running side by side, never a cross-slot error.
 *
 * Each command must keep to keys of one slot (RedisKeys tags every key of a user with `{u:ID}`).
 */
export class RedisBatch {
  private readonly commands: BatchArg[][] = [];
  /** For each command, a key that routes it (every key of a command shares its slot). */
  private readonly routes: string[] = [];

  constructor(private readonly client: RedisClient) {}

  get length(): number {
    return this.commands.length;
  }

  add(...command: BatchCommand): this {
    this.commands.push(command);
    this.routes.push(command[1]);
    return this;
  }

  /**
   * One command over many keys, for a script defined without a fixed number of keys (its first
   * argument is the count, then the keys, then `args`). On one Redis that is one command for all
   * the keys; on a cluster, where a command's keys must share a slot, one per slot the keys fall in.
   * A reply comes back per command sent, not per key.
   */
  addForKeys(command: string, keys: string[], ...args: BatchArg[]): this {
    for (const group of this.bySlot(keys)) {
      this.commands.push([command, group.length, ...group, ...args]);
      this.routes.push(group[0]);
    }
    return this;
  }

  /**
   * The values of many string keys in one round trip, in the order of the keys: null for a key
   * that is missing, an Error for one whose read failed. One MGET on one Redis (a reply of many
   * values costs the client far less than a command per key); on a cluster, one per slot.
   */
  static async getMany(client: RedisClient, keys: string[]): Promise<(string | null | Error)[]> {
    const batch = new RedisBatch(client);
    const groups = batch.bySlot(keys);
    for (const [first, ...rest] of groups) batch.add('mget', first, ...rest);
    const replies = await batch.exec();
    const values = new Map<string, string | null | Error>();
    groups.forEach((group, i) => {
      const [err, found] = replies[i] as [Error | null, (string | null)[]];
      group.forEach((key, j) => values.set(key, err ?? found[j]));
    });
    return keys.map((key) => values.get(key) ?? null);
  }

  /** Runs every command; each gets its own error or value, as a pipeline's exec() gives them. */
  async exec(): Promise<BatchResult[]> {
    if (this.commands.length === 0) return [];
    if (!this.client.isCluster) return ((await this.client.pipeline(this.commands).exec()) ?? []) as BatchResult[];
    const cluster = this.client as unknown as Cluster;
    const results: BatchResult[] = new Array(this.commands.length);
    await this.run(cluster, this.commands.map((_, i) => i), results);
    // A slot that moved (a master back after a restart, a failover, a reshard): ioredis follows a
    // MOVED in a pipeline only when every reply names the same slot, and then never learns the new
    // map. So the map is read again and the moved commands, alone, are sent once more.
    const moved = results.flatMap(([err], i) => (err && /^(MOVED|ASK) /.test(err.message) ? [i] : []));
    if (moved.length > 0) {
      await new Promise<void>((resolve) => cluster.refreshSlotsCache(() => resolve()));
      await this.run(cluster, moved, results);
    }
    return results;
  }

  /** Sends the commands at these positions, one pipeline per node, and puts their replies in place. */
  private async run(cluster: Cluster, positions: number[], results: BatchResult[]): Promise<void> {
    await Promise.all(
      [...this.byNode(cluster, positions).values()].map(async (group) => {
        const replies = (await this.client.pipeline(group.map((i) => this.commands[i])).exec()) ?? [];
        group.forEach((position, i) => (results[position] = (replies[i] ?? [new Error('no reply'), null]) as BatchResult));
      }),
    );
  }

  /** Runs every command; the first error is thrown, else the values in order. */
  async execOrThrow(): Promise<unknown[]> {
    return (await this.exec()).map(([err, value]) => {
      if (err) throw err;
      return value;
    });
  }

  /**
   * Positions of the commands, grouped the way ioredis accepts a cluster pipeline: by the nodes
   * serving the slot (master first, then replicas). A slot the client knows no owner of yet gets a
   * group of its own; ioredis then finds it, or fails that group alone.
   */
  private byNode(cluster: Cluster, positions: number[]): Map<string, number[]> {
    return groupBy(positions, (position) => {
      const slot = calculateSlot(this.routes[position]);
      return cluster.slots[slot]?.join(',') || `slot:${slot}`;
    });
  }

  private bySlot(keys: string[]): string[][] {
    if (keys.length === 0) return [];
    if (!this.client.isCluster) return [keys];
    return [...groupBy(keys, (key) => calculateSlot(key)).values()];
  }
}
