import { ClassResult, LoadResults, TargetResult } from './results';
import { ratio } from './stats';

/**
 * The targets, judged on this run's figures. Time targets are absolute; the rest are ratios
 * against a baseline measured in the same run, since the machine is shared. A target whose class
 * or scenario was not part of the run is reported with met = null.
 */
export function judgeTargets(r: LoadResults): TargetResult[] {
  const targets: TargetResult[] = [];
  const byFollowers = (n: number) => r.classes.find((c) => c.followers === n);
  const smallest = r.classes[0];
  const largest = r.classes[r.classes.length - 1];
  const fmt = (v: number | null | undefined, unit = ' ms') => (v === null || v === undefined ? 'n/a' : `${v.toLocaleString('en-US')}${unit}`);

  if (smallest && largest && smallest !== largest) {
    const q = ratio(largest.summary.postMs.p99, smallest.summary.postMs.p99);
    targets.push({
      name: `POST /posts p99 at ${n(largest)} vs ${n(smallest)} followers`,
      target: '≤ 1.2×',
      measured: `${fmt(largest.summary.postMs.p99)} vs ${fmt(smallest.summary.postMs.p99)}`,
      ratio: q,
      met: q === null ? null : q <= 1.2,
    });
    const inlineSmall = r.inline.find((c) => c.followers === smallest.followers);
    const inlineLarge = r.inline.find((c) => c.followers === largest.followers);
    if (inlineSmall && inlineLarge) {
      targets.push({
        name: `  baseline: inline POST p99 at ${n(largest)} vs ${n(smallest)}`,
        target: '(grows)',
        measured: `${fmt(inlineLarge.summary.postMs.p99)} vs ${fmt(inlineSmall.summary.postMs.p99)}`,
        ratio: ratio(inlineLarge.summary.postMs.p99, inlineSmall.summary.postMs.p99),
        met: null,
      });
    }
  }
  if (largest && r.rawWrite) {
    const q = ratio(largest.summary.deliveriesPerSec, r.rawWrite.perSec);
    targets.push({
      name: `fan-out timelines/s (${n(largest)}) vs raw write of the same structure (script)`,
      target: '≥ 0.8×',
      measured: `${fmt(largest.summary.deliveriesPerSec, '/s')} vs ${fmt(r.rawWrite.perSec, '/s')}`,
      ratio: q,
      met: q === null ? null : q >= 0.8,
    });
    const ql = ratio(largest.summary.deliveriesPerSec, r.rawWrite.list.perSec);
    targets.push({
      name: `fan-out timelines/s (${n(largest)}) vs raw LPUSH + LTRIM (fastest within 24 B/entry)`,
      target: '≥ 0.3×',
      measured: `${fmt(largest.summary.deliveriesPerSec, '/s')} vs ${fmt(r.rawWrite.list.perSec, '/s')}`,
      ratio: ql,
      met: ql === null ? null : ql >= 0.3,
    });
    const deliveries = largest.posts.reduce((sum, p) => sum + (p.fanout?.delivered ?? 0), 0);
    const workerCpu = (largest.cpu.worker ?? 0) + (largest.cpu['worker-bulk'] ?? 0);
    const us = deliveries > 0 && workerCpu > 0 ? Math.round((workerCpu / deliveries) * 1e7) / 10 : null;
    targets.push({
      name: `worker CPU per timeline write (${n(largest)})`,
      target: '≤ 10 µs',
      measured: us === null ? 'n/a' : `${us} µs (${Math.round(workerCpu * 100) / 100} CPU-s for ${deliveries.toLocaleString('en-US')})`,
      ratio: null,
      met: us === null ? null : us <= 10,
    });
  }
  const tenK = byFollowers(10_000);
  // The floor no fan-out can beat here: the raw pipelined write of as many full timelines.
  const floorMs = r.rawWrite ? Math.round((10_000 / r.rawWrite.perSec) * 1000) : null;
  const tenKp99 = tenK?.summary.fanoutMs.p99 ?? null;
  const qFloor = ratio(tenKp99, floorMs);
  targets.push({
    name: 'post → last timeline p99 at 10,000 followers vs the raw write of 10,000',
    target: '≤ 1.5×',
    measured: `${fmt(tenKp99)} vs ${fmt(floorMs)}`,
    ratio: qFloor,
    met: qFloor === null ? null : qFloor <= 1.5,
  });
  targets.push({
    name: 'post → last timeline p99 at 10,000 followers',
    target: '≤ 150 ms',
    measured: fmt(tenKp99),
    ratio: null,
    met: tenKp99 === null ? null : tenKp99 <= 150,
  });
  const oneK = byFollowers(1_000);
  const oneKOnline = oneK && oneK.onlineFollowers >= 1_000 ? oneK : undefined;
  targets.push({
    name: 'post → push p99, 1,000 online followers',
    target: '≤ 100 ms',
    measured: fmt(oneKOnline?.summary.pushMs.p99),
    ratio: null,
    met: oneKOnline?.summary.pushMs.p99 == null ? null : oneKOnline.summary.pushMs.p99 <= 100,
  });
  if (oneKOnline && smallest && smallest !== oneKOnline) {
    const q = ratio(oneKOnline.summary.postMs.p99, smallest.summary.postMs.p99);
    targets.push({
      name: `POST /posts p99 at 1,000 online followers vs ${n(smallest)} followers`,
      target: '≤ 2×',
      measured: `${fmt(oneKOnline.summary.postMs.p99)} vs ${fmt(smallest.summary.postMs.p99)}`,
      ratio: q,
      met: q === null ? null : q <= 2,
    });
  }
  if (r.reads) {
    const http = r.reads.http['50'];
    const raw = r.reads.rawRedis['50'];
    const q = ratio(http?.perSec, raw?.perSec);
    targets.push({
      name: 'home timeline over HTTP vs raw Redis read (50 in flight)',
      target: '≥ 0.5×',
      measured: `${fmt(http?.perSec, '/s')} vs ${fmt(raw?.perSec, '/s')}`,
      ratio: q,
      met: q === null ? null : q >= 0.5,
    });
    for (const inFlight of ['1', '50']) {
      targets.push({
        name: `  baseline: HTTP home vs SQL fan-out on read (${inFlight} in flight)`,
        target: '(faster)',
        measured: `${fmt(r.reads.http[inFlight]?.perSec, '/s')} vs ${fmt(r.reads.sql[inFlight]?.perSec, '/s')}`,
        ratio: ratio(r.reads.http[inFlight]?.perSec, r.reads.sql[inFlight]?.perSec),
        met: null,
      });
    }
  }
  if (r.deepReads) {
    const http = r.deepReads.http['50'];
    const sql = r.deepReads.sql['50'];
    const q = ratio(http?.perSec, sql?.perSec);
    targets.push({
      name: 'deep pages (below the window) over HTTP vs SQL fan-out on read (50 in flight)',
      target: '≥ 1.0×',
      measured: `${fmt(http?.perSec, '/s')} vs ${fmt(sql?.perSec, '/s')}`,
      ratio: q,
      met: q === null ? null : q >= 1,
    });
    for (const [inFlight, against, label] of [
      ['1', r.deepReads.sql, 'SQL'],
      ['50', r.deepReads.sqlIdsFirst, 'SQL ids first'],
      ['1', r.deepReads.sqlIdsFirst, 'SQL ids first'],
    ] as const) {
      targets.push({
        name: `  baseline: deep pages over HTTP vs ${label} (${inFlight} in flight)`,
        target: '(faster)',
        measured: `${fmt(r.deepReads.http[inFlight]?.perSec, '/s')} vs ${fmt(against[inFlight]?.perSec, '/s')}`,
        ratio: ratio(r.deepReads.http[inFlight]?.perSec, against[inFlight]?.perSec),
        met: null,
      });
    }
  }
  if (r.rules) {
    const { deliveriesPerSec: d, homeReadsPerSec: h } = r.rules;
    const q = ratio(d.on, d.off);
    targets.push({
      name: `fan-out deliveries/s (${r.rules.followers.toLocaleString('en-US')}, inline) with the feed rules vs FEED_RULES=off`,
      target: '≥ 0.85×',
      measured: `${fmt(d.on, '/s')} vs ${fmt(d.off, '/s')}`,
      ratio: q,
      met: q === null ? null : q >= 0.85,
    });
    const qr = ratio(h.on, h.off);
    targets.push({
      name: 'home reads/s (50 in flight) with the feed rules vs FEED_RULES=off',
      target: '≥ 0.85×',
      measured: `${fmt(h.on, '/s')} vs ${fmt(h.off, '/s')}`,
      ratio: qr,
      met: qr === null ? null : qr >= 0.85,
    });
  }
  if (r.returning) {
    const q = ratio(r.returning.coldMs.p50, r.returning.warmMs.p50);
    targets.push({
      name: `returning reader (${r.returning.following.toLocaleString('en-US')} followed): first page vs a warm first page (p50)`,
      target: '≤ 3×',
      measured: `${fmt(r.returning.coldMs.p50)} vs ${fmt(r.returning.warmMs.p50)}`,
      ratio: q,
      met: q === null ? null : q <= 3,
    });
  }
  if (r.memory) {
    targets.push({
      name: 'Redis memory per timeline entry',
      target: '≤ 24 B',
      measured: `${r.memory.bytesPerEntry} B (${r.memory.encoding})`,
      ratio: null,
      met: r.memory.bytesPerEntry <= 24,
    });
  }
  if (r.fairness) {
    const loaded = r.fairness.loaded.summary.fanoutMs.p99;
    const idle = r.fairness.idle.summary.fanoutMs.p99;
    const q = ratio(loaded, idle);
    targets.push({
      name: `fairness: ${n(r.fairness.idle)}-follower fan-out p99 during ${r.fairness.background.followers.toLocaleString('en-US')} vs idle`,
      target: '≤ 2×',
      measured: `${fmt(loaded)} vs ${fmt(idle)} (${r.fairness.loaded.posts.length} overlapping)`,
      ratio: q,
      met: q === null || r.fairness.loaded.posts.length === 0 ? null : q <= 2,
    });
  }
  const hundredK = byFollowers(100_000);
  if (hundredK && oneK) {
    const q = ratio(hundredK.summary.pushMs.p99, oneK.summary.pushMs.p99);
    targets.push({
      name: `online first: push p99 at 100,000 vs 1,000 followers (${hundredK.onlineFollowers} online)`,
      target: '≤ 2×',
      measured: `${fmt(hundredK.summary.pushMs.p99)} vs ${fmt(oneK.summary.pushMs.p99)}`,
      ratio: q,
      met: q === null ? null : q <= 2,
    });
  }
  return targets;
}

const n = (c: ClassResult) => c.followers.toLocaleString('en-US');
