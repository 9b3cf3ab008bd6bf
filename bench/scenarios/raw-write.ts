import { connect, Socket } from 'node:net';
import { RawWriteResult } from '../results';
import { RunContext } from './context';

const RUNS = 2;

/**
 * The fastest way this machine writes one post into N timelines: no framework, no client library,
 * the whole pipeline prepared in one buffer of RESP and written down a raw socket, ZADD and a trim
 * per timeline (what a steady-state fan-out must do at the least). The timelines are the largest
 * class's followers at steady state; the best of a few runs is kept.
 */
export async function runRawWrite(ctx: RunContext): Promise<RawWriteResult> {
  const author = ctx.authors[ctx.authors.length - 1];
  ctx.progress.start('raw Redis write', RUNS);
  const followers = (
    await ctx.sql.query<{ id: string }>('SELECT follower_id AS id FROM follows WHERE followee_id = $1', [author.id])
  ).rows.map((r) => r.id);
  const keys = followers.map((id) => ctx.keys.home(id));
  const runs: RawWriteResult['runs'] = [];
  const cpu = ctx.cpu.start();
  for (let run = 0; run < RUNS; run++) {
    // A real post, so the timelines it lands in stay readable by the read benchmarks.
    const { rows } = await ctx.sql.query<{ id: string }>(
      `INSERT INTO posts (author_id, text) VALUES ($1, $2) RETURNING id`,
      [author.id, `raw Redis baseline #${run} ${ctx.tag}`],
    );
    const ms = await pipelinedWrite(ctx, keys, rows[0].id);
    runs.push({ ms: Math.round(ms * 10) / 10, perSec: Math.round((keys.length / ms) * 1000) });
    ctx.progress.update(run + 1, `${runs[run].perSec.toLocaleString('en-US')} timelines/s`);
  }
  const perSec = Math.max(...runs.map((r) => r.perSec));
  ctx.progress.finish(`best ${perSec.toLocaleString('en-US')} timelines/s over ${keys.length.toLocaleString('en-US')}`);
  return { timelines: keys.length, runs, perSec, cpu: cpu() };
}

async function pipelinedWrite(ctx: RunContext, keys: string[], postId: string): Promise<number> {
  const trimTo = `-${ctx.maxTimeline + 1}`; // keep the marker (rank 0) and the newest entries
  const parts: string[] = [];
  for (const key of keys) {
    parts.push(command('ZADD', key, postId, postId), command('ZREMRANGEBYRANK', key, '1', trimTo));
  }
  const payload = Buffer.from(parts.join(''));
  const url = new URL(ctx.options.redisServer);
  const socket = await open(Number(url.port || 6379), url.hostname);
  try {
    await roundTrip(socket, Buffer.from(command('SELECT', String(ctx.redisDb))), 1);
    const started = performance.now();
    await roundTrip(socket, payload, keys.length * 2);
    return performance.now() - started;
  } finally {
    socket.destroy();
  }
}

export function command(...args: string[]): string {
  let out = `*${args.length}\r\n`;
  for (const arg of args) out += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  return out;
}

export function open(port: number, host: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host, () => resolve(socket));
    socket.once('error', reject);
    socket.setNoDelay(true);
  });
}

/** Writes the commands and waits for as many replies; every reply here is one line (":n" or "+OK"). */
export function roundTrip(socket: Socket, payload: Buffer, replies: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const onData = (chunk: Buffer) => {
      if (chunk[0] === 0x2d /* - */ || chunk.includes('\r\n-')) {
        cleanup();
        reject(new Error(`Redis answered an error: ${chunk.toString().split('\r\n').find((l) => l.startsWith('-'))}`));
        return;
      }
      for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) seen++;
      if (seen >= replies) {
        cleanup();
        resolve();
      }
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('error', onError);
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.write(payload);
  });
}
