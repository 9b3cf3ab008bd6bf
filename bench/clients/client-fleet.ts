import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { ClientLogin, FromClients, PostReceipts, ToClients } from './protocol';

/** The live-feed clients, spread over a few child processes; this side only talks to them. */
export class ClientFleet {
  private readonly received = new Map<ChildProcess, number>();

  private constructor(private readonly children: ChildProcess[]) {
    for (const child of children) {
      this.received.set(child, 0);
      child.on('message', (message: FromClients) => {
        if (message.type === 'progress') this.received.set(child, message.received);
      });
    }
  }

  /** Connects every user's socket; fails when any cannot connect. */
  static async connect(url: string, users: ClientLogin[], processes: number): Promise<ClientFleet> {
    const count = Math.max(1, Math.min(processes, users.length));
    const children = Array.from({ length: count }, () =>
      fork(join(__dirname, 'client-process.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    );
    const fleet = new ClientFleet(children);
    const shares = children.map((_, i) => users.filter((_, j) => j % count === i));
    const answers = await Promise.all(
      children.map((child, i) => fleet.ask(child, { type: 'connect', url, users: shares[i] }, 'connected')),
    );
    const errors = answers.flatMap((a) => (a.type === 'connected' ? a.errors : []));
    const connected = answers.reduce((sum, a) => sum + (a.type === 'connected' ? a.connected : 0), 0);
    if (connected !== users.length) {
      await fleet.close();
      throw new Error(`only ${connected} of ${users.length} live-feed clients connected: ${errors.join('; ')}`);
    }
    return fleet;
  }

  get pids(): number[] {
    return this.children.map((child) => child.pid!);
  }

  /** Receipts so far, across processes (for the progress bar). */
  get receivedCount(): number {
    let sum = 0;
    for (const n of this.received.values()) sum += n;
    return sum;
  }

  /** Takes every receipt recorded since the last collect, merged across processes. */
  async collect(): Promise<{ posts: Map<string, PostReceipts>; disconnects: number }> {
    const answers = await Promise.all(this.children.map((child) => this.ask(child, { type: 'collect' }, 'collected')));
    const posts = new Map<string, PostReceipts>();
    let disconnects = 0;
    for (const answer of answers) {
      if (answer.type !== 'collected') continue;
      disconnects += answer.disconnects;
      for (const [id, part] of Object.entries(answer.posts)) {
        const merged = posts.get(id) ?? { delays: [], users: 0, duplicates: 0 };
        merged.delays.push(...part.delays);
        merged.users += part.users;
        merged.duplicates += part.duplicates;
        posts.set(id, merged);
      }
    }
    return { posts, disconnects };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.children.map(async (child) => {
        if (child.exitCode !== null || !child.connected) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.send({ type: 'close' } satisfies ToClients);
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private ask(child: ChildProcess, message: ToClients, answer: FromClients['type']): Promise<FromClients> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: FromClients) => {
        if (reply.type !== answer) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(reply);
      };
      const onExit = (code: number | null) => reject(new Error(`a client process exited with ${code}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send(message);
    });
  }
}
