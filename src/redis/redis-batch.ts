import calculateSlot from 'cluster-key-slot';
import type { Cluster } from 'ioredis';
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
  private readonly commands: BatchCommand[] = [];

  constructor(private readonly client: RedisClient) {}

  get length(): number {
    return this.commands.length;
  }

  add(...command: BatchCommand): this {
    this.commands.push(command);
    return this;
  }

  /** Runs every command; each gets its own error or value, as a pipeline's exec() gives them. */
  async exec(): Promise<BatchResult[]> {
    if (this.commands.length === 0) return [];
    if (!this.client.isCluster) return ((await this.client.pipeline(this.commands).exec()) ?? []) as BatchResult[];
    const groups = this.byNode(this.client as unknown as Cluster);
    const results: BatchResult[] = new Array(this.commands.length);
    await Promise.all(
      [...groups.values()].map(async (positions) => {
        const replies = (await this.client.pipeline(positions.map((i) => this.commands[i])).exec()) ?? [];
        positions.forEach((position, i) => (results[position] = (replies[i] ?? [new Error('no reply'), null]) as BatchResult));
      }),
    );
    return results;
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
  private byNode(cluster: Cluster): Map<string, number[]> {
    const groups = new Map<string, number[]>();
    this.commands.forEach(([, key], position) => {
      const slot = calculateSlot(key);
      const owner = cluster.slots[slot]?.join(',') || `slot:${slot}`;
      const group = groups.get(owner);
      if (group) group.push(position);
      else groups.set(owner, [position]);
    });
    return groups;
  }
}
