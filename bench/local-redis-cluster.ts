import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Ports 7100 and up, in steps of 10, so two runs on one machine take different ones. */
const FIRST_BASE_PORT = 7100;
const BASE_PORT_STEP = 10;
const LAST_BASE_PORT = 7990;
/** How long a master may be silent before the others count it failed: short, for the restart tests. */
const NODE_TIMEOUT_MS = 2_000;
const READY_TIMEOUT_MS = 30_000;

interface NodeState {
  port: number;
  pid: number;
  dir: string;
}

interface ClusterState {
  dir: string;
  nodes: NodeState[];
}

/**
 * A Redis Cluster of local processes on loopback ports, for the tests and `npm run load
 * --redis-cluster N`: N masters (redis-server --cluster-enabled yes), joined with
 * `redis-cli --cluster create`, ready once every node says cluster_state:ok. Its state (ports,
 * pids, directory) is written to a file, so another process of the same run (a Jest worker, a test
 * that restarts a node) can attach to it by directory.
 */
export class LocalRedisCluster {
  private constructor(private state: ClusterState) {}

  static async start(masters = 3): Promise<LocalRedisCluster> {
    await requireTools();
    const dir = mkdtempSync(join(tmpdir(), `feed-fanout-cluster-${process.pid}-`));
    const base = await freeBasePort(masters);
    const cluster = new LocalRedisCluster({ dir, nodes: [] });
    try {
      for (let i = 0; i < masters; i++) cluster.state.nodes.push(await startNode(dir, base + i));
      cluster.save();
      await run('redis-cli', ['--cluster', 'create', ...cluster.nodes.map(nodeKey), '--cluster-replicas', '0', '--cluster-yes']);
      await cluster.waitUntilOk();
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  /** The cluster another process of this run started, from its directory. */
  static attach(dir: string): LocalRedisCluster {
    return new LocalRedisCluster(JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as ClusterState);
  }

  get dir(): string {
    return this.state.dir;
  }

  get nodes(): { host: string; port: number }[] {
    return this.state.nodes.map((n) => ({ host: '127.0.0.1', port: n.port }));
  }

  /** The server processes, for CPU accounting. */
  get pids(): number[] {
    return this.state.nodes.map((n) => n.pid);
  }

  /** Deletes, on every master, the keys whose name contains `pattern` (one run's prefix). */
  async deleteMatching(pattern: string): Promise<void> {
    const { default: Redis } = await import('ioredis');
    await Promise.all(
      this.state.nodes.map(async ({ port }) => {
        const node = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
        try {
          let cursor = '0';
          do {
            const [next, keys] = await node.scan(cursor, 'MATCH', `*${pattern}*`, 'COUNT', 1000);
            cursor = next;
            // One key a command: keys of several slots in one DEL would be refused.
            if (keys.length > 0) await node.pipeline(keys.map((key) => ['unlink', key])).exec();
          } while (cursor !== '0');
        } finally {
          node.disconnect();
        }
      }),
    );
  }

  /** The value of REDIS_CLUSTER_NODES for this cluster. */
  get setting(): string {
    return this.nodes.map(nodeKey).join(',');
  }

  /**
   * Stops a master the way an operator restarts one (SHUTDOWN SAVE: its data on disk): its slots
   * are unreachable until start(index) brings it back with its data, identity and slots.
   */
  async stopNode(index: number): Promise<void> {
    const node = this.state.nodes[index];
    await run('redis-cli', ['-p', String(node.port), 'shutdown', 'save']).catch(() => undefined);
    await waitFor(async () => !(await answers(node.port)), 10_000, `node ${node.port} to stop`);
  }

  async startNode(index: number): Promise<void> {
    const node = this.state.nodes[index];
    this.state.nodes[index] = await startNode(this.state.dir, node.port);
    this.save();
    await this.waitUntilOk();
  }

  /** The index of the master serving a key's slot. */
  async masterOf(key: string): Promise<number> {
    const { stdout } = await run('redis-cli', ['-p', String(this.state.nodes[0].port), 'cluster', 'keyslot', key]);
    const slot = Number(stdout.trim());
    for (let i = 0; i < this.state.nodes.length; i++) {
      const { stdout: info } = await run('redis-cli', ['-p', String(this.state.nodes[i].port), 'cluster', 'myid']);
      const { stdout: nodes } = await run('redis-cli', ['-p', String(this.state.nodes[i].port), 'cluster', 'nodes']);
      const mine = nodes.split('\n').find((line) => line.startsWith(info.trim()));
      const ranges = (mine ?? '').split(' ').slice(8);
      if (ranges.some((r) => inRange(slot, r))) return i;
    }
    throw new Error(`no master serves slot ${slot}`);
  }

  /** Suspends every master (SIGSTOP): connections stay open and nothing answers. */
  pause(): void {
    for (const node of this.state.nodes) process.kill(node.pid, 'SIGSTOP');
  }

  async resume(): Promise<void> {
    for (const node of this.state.nodes) process.kill(node.pid, 'SIGCONT');
    await this.waitUntilOk();
  }

  /** How many keys each master holds whose name contains `pattern`. */
  async keysPerMaster(pattern: string): Promise<number[]> {
    return Promise.all(
      this.state.nodes.map(async (node) => {
        let cursor = '0';
        let count = 0;
        do {
          const { stdout } = await run('redis-cli', ['-p', String(node.port), 'scan', cursor, 'match', `*${pattern}*`, 'count', '1000']);
          const [next, ...keys] = stdout.trim().split('\n');
          cursor = next;
          count += keys.filter((k) => k !== '').length;
        } while (cursor !== '0');
        return count;
      }),
    );
  }

  async waitUntilOk(): Promise<void> {
    await waitFor(
      async () => {
        const states = await Promise.all(this.state.nodes.map((n) => clusterState(n.port)));
        return states.every((s) => s === 'ok');
      },
      READY_TIMEOUT_MS,
      'cluster_state:ok on every node',
    );
  }

  async stop(): Promise<void> {
    // Another process of the run may have restarted a node (a new pid): the file has it.
    try {
      this.state = JSON.parse(readFileSync(join(this.state.dir, 'cluster.json'), 'utf8')) as ClusterState;
    } catch {
      // not written yet: the pids we know are all there are
    }
    for (const node of this.state.nodes) {
      try {
        process.kill(node.pid, 'SIGCONT');
        process.kill(node.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(this.state.dir, { recursive: true, force: true });
  }

  private save(): void {
    writeFileSync(join(this.state.dir, 'cluster.json'), JSON.stringify(this.state));
  }
}

async function requireTools(): Promise<void> {
  for (const tool of ['redis-server', 'redis-cli']) {
    try {
      await run(tool, ['--version']);
    } catch {
      throw new Error(`${tool} is needed to start a local Redis Cluster: apt-get install redis-server (bash .ci/run installs it)`);
    }
  }
}

async function startNode(clusterDir: string, port: number): Promise<NodeState> {
  const dir = join(clusterDir, String(port));
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    'redis-server',
    [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--cluster-enabled', 'yes',
      '--cluster-config-file', 'nodes.conf',
      '--cluster-node-timeout', String(NODE_TIMEOUT_MS),
      // A master that is down holds its slots: the rest of the cluster goes on serving its own.
      '--cluster-require-full-coverage', 'no',
      '--dir', dir,
      '--save', '',
      '--appendonly', 'no',
      '--logfile', 'redis.log',
    ],
    { detached: true, stdio: 'ignore' },
  );
  child.unref();
  await waitFor(() => answers(port), 10_000, `redis-server on ${port}`);
  return { port, pid: child.pid!, dir };
}

async function freeBasePort(count: number): Promise<number> {
  for (let base = FIRST_BASE_PORT; base <= LAST_BASE_PORT; base += BASE_PORT_STEP) {
    const ports = Array.from({ length: count }, (_, i) => base + i);
    // The cluster bus listens on port + 10000.
    const free = await Promise.all([...ports, ...ports.map((p) => p + 10_000)].map(isFree));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no free ports for a local Redis Cluster between ${FIRST_BASE_PORT} and ${LAST_BASE_PORT}`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function answers(port: number): Promise<boolean> {
  try {
    const { stdout } = await run('redis-cli', ['-p', String(port), 'ping'], { timeout: 2_000 });
    return stdout.trim() === 'PONG';
  } catch {
    return false;
  }
}

async function clusterState(port: number): Promise<string | null> {
  try {
    const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info'], { timeout: 2_000 });
    return /cluster_state:(\w+)/.exec(stdout)?.[1] ?? null;
  } catch {
    return null;
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function inRange(slot: number, range: string): boolean {
  const [from, to] = range.split('-').map(Number);
  return slot >= from && slot <= (to ?? from);
}

function nodeKey(node: { host?: string; port: number }): string {
  return `${node.host ?? '127.0.0.1'}:${node.port}`;
}
