import { connect, Socket } from 'node:net';
import { PUSH } from '../../src/timelines/timeline-scripts';
import { BULK_SLICE } from '../../src/timelines/timeline.repository';
import { RawWriteResult } from '../results';
import { RunContext } from './context';

const RUNS = 2;

/**
 * What writing post `postId` into the timelines `keys` takes, as RESP, for the two baselines: the
 * service's own structure and script as the service sends it on one Redis (PUSH: one EVALSHA per
 * BULK_SLICE timelines), and the fastest structure that keeps to the memory budget (a list, LPUSH +
 * LTRIM, with neither order nor dedup).
 */
const WRITES = {
  script: (sha: string, keys: string[], postId: string, max: number) =>
    slices(keys).map((slice) => command('EVALSHA', sha, String(slice.length), ...slice, String(max), '', postId)),
  list: (_sha: string, keys: string[], postId: string, max: number) =>
    keys.flatMap((key) => [command('LPUSH', key, postId), command('LTRIM', key, '0', String(max - 1))]),
};

function slices(keys: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < keys.length; i += BULK_SLICE) out.push(keys.slice(i, i + BULK_SLICE));
  return out;
}
type Write = keyof typeof WRITES;

/**
 * The fastest way this machine writes one post into N timelines: no framework, no client library,
 * the whole pipeline prepared in one buffer of RESP and written down a raw socket. Measured for the
 * service's script (`perSec`, the limit the fan-out is held to) and for a plain LPUSH + LTRIM
 * (`list`), side by side, in turns. The timelines are the largest class's followers at steady
 * state; the best of a few runs is kept.
 */
export async function runRawWrite(ctx: RunContext): Promise<RawWriteResult> {
  const author = ctx.authors[ctx.authors.length - 1];
  ctx.progress.start('raw Redis write', RUNS * 2);
  const followers = (
    await ctx.sql.query<{ id: string }>('SELECT follower_id AS id FROM follows WHERE followee_id = $1', [author.id])
  ).rows.map((r) => r.id);
  const keys = followers.map((id) => ctx.keys.home(id));
  const runs: Record<Write, RawWriteResult['runs']> = { script: [], list: [] };
  const sha = (await ctx.redis.script('LOAD', PUSH)) as string;
  const cpu = ctx.cpu.start();
  for (let run = 0; run < RUNS; run++) {
    for (const write of ['script', 'list'] as Write[]) {
      // A real post, so the timelines it lands in stay readable by the read benchmarks.
      const { rows } = await ctx.sql.query<{ id: string }>(
        `INSERT INTO posts (author_id, text) VALUES ($1, $2) RETURNING id`,
        [author.id, `raw Redis baseline #${run} (${write}) ${ctx.tag}`],
      );
      const ms = await pipelinedWrite(ctx, WRITES[write](sha, keys, rows[0].id, ctx.maxTimeline));
      runs[write].push({ ms: Math.round(ms * 10) / 10, perSec: Math.round((keys.length / ms) * 1000) });
      ctx.progress.update(2 * run + (write === 'list' ? 2 : 1), `${write}: ${runs[write][run].perSec.toLocaleString('en-US')} timelines/s`);
    }
  }
  const best = (write: Write) => Math.max(...runs[write].map((r) => r.perSec));
  ctx.progress.finish(`best ${best('script').toLocaleString('en-US')} timelines/s (script), ${best('list').toLocaleString('en-US')} (LPUSH + LTRIM) over ${keys.length.toLocaleString('en-US')}`);
  return { timelines: keys.length, runs: runs.script, perSec: best('script'), list: { runs: runs.list, perSec: best('list') }, cpu: cpu() };
}

async function pipelinedWrite(ctx: RunContext, commands: string[]): Promise<number> {
  const payload = Buffer.from(commands.join(''));
  const replies = commands.length;
  const url = new URL(ctx.options.redisServer);
  const socket = await open(Number(url.port || 6379), url.hostname);
  try {
    await roundTrip(socket, Buffer.from(command('SELECT', String(ctx.redisDb))), 1);
    const started = performance.now();
    await roundTrip(socket, payload, replies);
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
