import { MemoryResult } from '../results';
import { RunContext } from './context';

const SAMPLE = 1_000;

/**
 * What a timeline entry costs in Redis: MEMORY USAGE (key, value and allocator overhead) of a
 * sample of steady-state timelines, over the entries they hold (full timelines: no sentinel).
 */
export async function measureMemory(ctx: RunContext, prefillBytesPerEntry: number): Promise<MemoryResult> {
  ctx.progress.start('Redis memory per entry');
  const owners = ctx.graph.clients.slice(0, SAMPLE);
  const pipeline = ctx.redis.pipeline();
  for (const owner of owners) {
    const key = ctx.keys.home(owner.id);
    pipeline.memory('USAGE', key, 'SAMPLES', 0);
    pipeline.llen(key);
    pipeline.object('ENCODING', key);
  }
  const replies = ((await pipeline.exec()) ?? []).map(([err, value]) => {
    if (err) throw err;
    return value;
  });
  let bytes = 0;
  let entries = 0;
  const encodings = new Set<string>();
  for (let i = 0; i < owners.length; i++) {
    bytes += Number(replies[3 * i]);
    entries += Number(replies[3 * i + 1]);
    encodings.add(String(replies[3 * i + 2]));
  }
  const result: MemoryResult = {
    sampledTimelines: owners.length,
    entriesPerTimeline: Math.round(entries / owners.length),
    encoding: [...encodings].join(','),
    bytesPerEntry: Math.round((bytes / entries) * 10) / 10,
    prefillBytesPerEntry,
  };
  ctx.progress.finish(`${result.bytesPerEntry} bytes an entry (${result.encoding})`);
  return result;
}
