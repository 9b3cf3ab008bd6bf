import Redis from 'ioredis';
import { connect, Socket } from 'node:net';

/** One line of MONITOR: `+1339518083.107412 [0 127.0.0.1:60866] "get" "key"`, or `[0 lua]` from a script. */
const LINE = /^\+[\d.]+ \[(\d+) ([^\]]+)\] (.*)$/;
const ARG = /"((?:[^"\\]|\\.)*)"/g;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b', '"': '"', '\\': '\\' };

function unquote(arg: string): string {
  return arg.replace(/\\(x[0-9a-f]{2}|.)/g, (_, e: string) => (e.length === 3 ? String.fromCharCode(parseInt(e.slice(1), 16)) : (ESCAPES[e] ?? e)));
}

/**
 * The commands clients send for a test's keys, as MONITOR shows them (not those scripts run):
 * what a test of round trips asserts on. One MONITOR connection per server (every master of a
 * cluster), over a plain socket (ioredis's monitor mode loses lines that come with its OK),
 * keeping the commands that `mine` accepts; settle() waits until everything run before it has
 * been seen.
 */
export class RedisMonitor {
  readonly commands: string[][] = [];
  private marks = 0;

  private constructor(
    private readonly sockets: Socket[],
    private readonly clients: Redis[],
    private readonly markPrefix: string,
  ) {}

  /** `mine(args, database)`: whether a command is the test's; `markPrefix` must pass it. */
  static async start(urls: string[], markPrefix: string, mine: (args: string[], database: number) => boolean): Promise<RedisMonitor> {
    const clients = urls.map((url) => new Redis(url, { maxRetriesPerRequest: 1 }));
    const sockets = await Promise.all(urls.map((url) => RedisMonitor.open(new URL(url))));
    const monitor = new RedisMonitor(sockets, clients, markPrefix);
    for (const socket of sockets) {
      let buffered = '';
      socket.on('data', (chunk: Buffer) => {
        const lines = (buffered + chunk.toString('latin1')).split('\r\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          const match = LINE.exec(line);
          if (!match || match[2] === 'lua') continue; // a script's own commands are part of its one command
          const args = [...match[3].matchAll(ARG)].map((m) => unquote(m[1]));
          if (mine(args, Number(match[1]))) monitor.commands.push(args);
        }
      });
    }
    return monitor;
  }

  private static open(url: URL): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect(Number(url.port || 6379), url.hostname);
      socket.once('error', reject);
      socket.once('data', (reply: Buffer) => (reply.toString().startsWith('+OK') ? resolve(socket) : reject(new Error(`MONITOR: ${reply.toString()}`))));
      socket.write('MONITOR\r\n');
    });
  }

  /** Commands run so far whose name is `name` (any case). */
  named(name: string): string[][] {
    return this.commands.filter(([command]) => command.toLowerCase() === name.toLowerCase());
  }

  /** Waits until every server's commands run before this call have been seen, then forgets them all. */
  async clear(): Promise<void> {
    await this.settle();
    this.commands.length = 0;
  }

  /** Waits until every server's commands run before this call have been seen. */
  async settle(): Promise<void> {
    const mark = `${this.markPrefix}monitor-mark:${++this.marks}`;
    const isMark = ([command, arg]: string[]) => command.toLowerCase() === 'echo' && arg === mark;
    await Promise.all(this.clients.map((client) => client.echo(mark)));
    const deadline = Date.now() + 5_000;
    while (this.commands.filter(isMark).length < this.clients.length) {
      if (Date.now() > deadline) throw new Error('MONITOR did not show the mark within 5 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    this.commands.splice(0, this.commands.length, ...this.commands.filter((args) => !isMark(args)));
  }

  stop(): void {
    for (const socket of this.sockets) socket.destroy();
    for (const client of this.clients) client.disconnect();
  }
}
