import { Throughput } from './results';
import { summarize } from './stats';

/**
 * `inFlight` loops that each start the next operation as soon as the last one ended, for `seconds`.
 * Each loop passes its own number, for operations that carry state from one call to the next.
 */
export async function closedLoop(inFlight: number, seconds: number, op: (loop: number) => Promise<void>): Promise<Throughput> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: unknown;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async (_, loop) => {
      while (performance.now() < until) {
        const t = performance.now();
        try {
          await op(loop);
          latencies.push(performance.now() - t);
        } catch (err) {
          errors++;
          firstError ??= err;
        }
      }
    }),
  );
  if (errors > 0 && latencies.length === 0) throw firstError;
  const elapsed = (performance.now() - started) / 1000;
  const s = summarize(latencies);
  return { perSec: Math.round(latencies.length / elapsed), latencyMs: { p50: s.p50, p99: s.p99, max: s.max }, errors };
}
