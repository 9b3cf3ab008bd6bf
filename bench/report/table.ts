import { ClassResult, LoadResults } from '../results';
import { Summary } from '../stats';

/** The plain-text tables printed at the end of a run (and copied into the HTML report). */
export function renderTables(r: LoadResults): string {
  const out: string[] = [];
  const online = r.graph.clients;
  out.push(
    `Fan-out on write: FANOUT_CELEBRITY_THRESHOLD=${r.meta.service.threshold.toLocaleString('en-US')}, ${online.toLocaleString('en-US')} live clients, ` +
      `timelines at ${r.graph.entriesPerTimeline} entries. Times in ms: p50 / p95 / p99 / max.`,
  );
  const rows: string[][] = [['class', 'mode', 'posts', 'rate/s', 'POST /posts', 'post → last timeline', 'post → push', 'pushes']];
  for (const c of [...r.classes, ...(r.big ? [r.big] : []), ...r.inline]) rows.push(classRow(c));
  out.push(grid(rows));

  const phases = [...r.classes, ...(r.big ? [r.big] : []), ...r.inline, ...(r.fairness ? [r.fairness.idle, r.fairness.loaded] : [])];
  if (phases.length > 0) {
    const names = [...new Set(phases.flatMap((c) => Object.keys(c.cpu ?? {})).filter((k) => k !== 'wall'))];
    out.push('');
    out.push('CPU seconds per process over each phase (2 cores give 2 CPU-seconds a second; postgres: the run’s own backends; redis: the whole server)');
    out.push(grid([['phase', 'wall s', ...names], ...phases.map((c) => [c.label, String(c.cpu?.wall ?? '-'), ...names.map((n) => String(c.cpu?.[n] ?? '-'))])]));
  }

  if (r.fairness) {
    const f = r.fairness;
    out.push('');
    out.push(
      `Fairness: ${f.idle.followers}-follower posts idle, then while ${f.background.posts} posts of ${f.background.followers.toLocaleString('en-US')} followers fan out ` +
        `(${f.loaded.posts.length} of ${f.idle.posts.length} posts overlapped).`,
    );
    out.push(grid([['', 'posts', 'post → last timeline'], ...[f.idle, f.loaded].map((c) => [c === f.idle ? 'idle' : 'during big fan-out', String(c.posts.length), times(c.summary.fanoutMs)])]));
  }

  const baselines: string[][] = [['baseline', 'ours', 'theirs', 'ratio']];
  if (r.rawWrite) {
    const largest = r.classes[r.classes.length - 1];
    baselines.push([
      `timelines written/s (${largest ? largest.followers.toLocaleString('en-US') : '-'} followers) vs raw pipelined Redis`,
      perSec(largest?.summary.deliveriesPerSec),
      perSec(r.rawWrite.perSec),
      ratioText(largest?.summary.deliveriesPerSec, r.rawWrite.perSec),
    ]);
  }
  if (r.reads) {
    for (const inFlight of Object.keys(r.reads.http)) {
      const http = r.reads.http[inFlight];
      baselines.push([`home page of ${r.reads.limit}, ${inFlight} in flight: HTTP vs raw Redis read`, perSec(http.perSec), perSec(r.reads.rawRedis[inFlight]?.perSec), ratioText(http.perSec, r.reads.rawRedis[inFlight]?.perSec)]);
      const gets = r.reads.rawRedisGets?.[inFlight];
      if (gets) baselines.push([`home page of ${r.reads.limit}, ${inFlight} in flight: HTTP vs raw read, a GET per post`, perSec(http.perSec), perSec(gets.perSec), ratioText(http.perSec, gets.perSec)]);
      baselines.push([`home page of ${r.reads.limit}, ${inFlight} in flight: HTTP vs SQL fan-out on read`, perSec(http.perSec), perSec(r.reads.sql[inFlight]?.perSec), ratioText(http.perSec, r.reads.sql[inFlight]?.perSec)]);
    }
    const lat = (t?: { latencyMs: { p50: number | null; p99: number | null } }) => (t ? `${fix(t.latencyMs.p50)} / ${fix(t.latencyMs.p99)} ms` : '-');
    for (const inFlight of Object.keys(r.reads.http)) {
      baselines.push([`  latency p50 / p99, ${inFlight} in flight: HTTP | raw Redis | SQL`, lat(r.reads.http[inFlight]), lat(r.reads.rawRedis[inFlight]), lat(r.reads.sql[inFlight])]);
    }
    for (const [inFlight, cpu] of Object.entries(r.reads.httpCpuUs ?? {})) {
      baselines.push([`  CPU per HTTP page, ${inFlight} in flight: API | Redis`, `${cpu.api.toLocaleString('en-US')} µs`, `${cpu.redis.toLocaleString('en-US')} µs`, '-']);
    }
  }
  if (r.deepReads) {
    const d = r.deepReads;
    for (const inFlight of Object.keys(d.http)) {
      baselines.push([`deep page of ${d.limit} (below the window), ${inFlight} in flight: HTTP vs SQL fan-out on read`, perSec(d.http[inFlight].perSec), perSec(d.sql[inFlight]?.perSec), ratioText(d.http[inFlight].perSec, d.sql[inFlight]?.perSec)]);
      baselines.push([`deep page of ${d.limit} (below the window), ${inFlight} in flight: HTTP vs SQL, ids first`, perSec(d.http[inFlight].perSec), perSec(d.sqlIdsFirst[inFlight]?.perSec), ratioText(d.http[inFlight].perSec, d.sqlIdsFirst[inFlight]?.perSec)]);
    }
    const lat = (t?: { latencyMs: { p50: number | null; p99: number | null } }) => (t ? `${fix(t.latencyMs.p50)} / ${fix(t.latencyMs.p99)} ms` : '-');
    for (const inFlight of Object.keys(d.http)) {
      baselines.push([`  latency p50 / p99, ${inFlight} in flight: HTTP | SQL | SQL ids first`, lat(d.http[inFlight]), lat(d.sql[inFlight]), lat(d.sqlIdsFirst[inFlight])]);
    }
  }
  if (baselines.length > 1) {
    out.push('');
    out.push('Baselines, same run (ratios: ours ÷ theirs)');
    out.push(grid(baselines));
  }

  if (r.deepReads) {
    const d = r.deepReads;
    out.push('');
    out.push(
      `Deep pages: ${d.readers} readers with histories of ${d.historyPosts.p50.toLocaleString('en-US')} posts (median; max ${d.historyPosts.max.toLocaleString('en-US')}), ` +
        `each scrolling ${d.pagesPerVisit} pages of ${d.limit} below their Redis window per visit.`,
    );
  }
  if (r.returning) {
    const t = r.returning;
    out.push('');
    out.push(
      `Returning readers: ${t.readers} readers following ${t.following.toLocaleString('en-US')} accounts (histories of ${t.historyPosts.p50.toLocaleString('en-US')} posts, median), ` +
        `timeline dropped, ${t.rounds} rounds. Times in ms: p50 / p95 / p99 / max.`,
    );
    out.push(grid([['', 'n', 'time'], ['first page, timeline missing (PostgreSQL)', String(t.coldMs.n), times(t.coldMs)], ['first page, timeline rebuilt (Redis)', String(t.warmMs.n), times(t.warmMs)], ['request → timeline rebuilt in Redis', String(t.rebuildMs.n), times(t.rebuildMs)]]));
  }
  const plans = [...(r.deepReads?.plans ?? []), ...(r.returning?.plans ?? [])];
  if (plans.length > 0) {
    out.push('');
    out.push('Query plans (EXPLAIN ANALYZE, warm; full plans in the results file)');
    out.push(grid([['query', 'execution'], ...plans.map((p) => [p.name, `${fix(p.executionMs)} ms`])]));
  }

  if (r.targets.length > 0) {
    out.push('');
    out.push('Targets');
    out.push(grid([['target', 'goal', 'measured', 'ratio', 'met'], ...r.targets.map((t) => [t.name, t.target, t.measured, t.ratio === null ? '' : `${t.ratio}×`, t.met === null ? '-' : t.met ? 'yes' : 'NO'])]));
  }
  return out.join('\n');
}

function classRow(c: ClassResult): string[] {
  const mode = c.kind === 'big' ? 'merge at read' : c.kind === 'inline' ? 'inline' : 'queue';
  const pushes = c.posts.reduce((sum, p) => sum + (p.pushes?.received ?? 0), 0);
  const expected = c.posts.reduce((sum, p) => sum + (p.pushes?.expected ?? 0), 0);
  return [
    c.followers.toLocaleString('en-US'),
    mode,
    String(c.posts.length),
    c.rate === null ? 'serial' : String(c.rate),
    times(c.summary.postMs),
    times(c.summary.fanoutMs) + (c.summary.allFinished ? '' : ' (unfinished!)'),
    times(c.summary.pushMs),
    `${pushes}/${expected}`,
  ];
}

function times(s: Summary): string {
  if (s.n === 0) return '-';
  return `${fix(s.p50)} / ${fix(s.p95)} / ${fix(s.p99)} / ${fix(s.max)}`;
}

function fix(v: number | null): string {
  if (v === null) return '-';
  return v >= 100 ? String(Math.round(v)) : v.toFixed(1);
}

function perSec(v: number | null | undefined): string {
  return v === null || v === undefined ? '-' : `${Math.round(v).toLocaleString('en-US')}/s`;
}

function ratioText(a: number | null | undefined, b: number | null | undefined): string {
  if (!a || !b) return '-';
  return `${(a / b).toFixed(2)}×`;
}

/** Rows as aligned columns under the first row: text to the left, figures to the right. */
export function grid(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
