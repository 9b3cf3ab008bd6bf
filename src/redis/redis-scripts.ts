import { RedisClient } from './redis-client';

/** A Lua script as a command: `numberOfKeys` fixed, or left out when the caller passes the count first. */
export interface ScriptDefinition {
  lua: string;
  numberOfKeys?: number;
}

type ScriptClient = { [name: string]: unknown; defineCommand(name: string, definition: ScriptDefinition): void };

/**
 * Makes each script a command of the clients, once per client (several repositories share one).
 * ioredis sends a defined command as EVALSHA, loading the script when Redis does not know it, in
 * pipelines too; on a cluster, its first key routes it. Names share ioredis's namespace, so they
 * carry their owner's prefix.
 */
export function defineScripts(clients: RedisClient[], scripts: Record<string, ScriptDefinition>): void {
  for (const client of clients as unknown as ScriptClient[]) {
    for (const [name, definition] of Object.entries(scripts)) if (!client[name]) client.defineCommand(name, definition);
  }
}
