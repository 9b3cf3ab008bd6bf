import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ClassResult, LoadResults } from '../results';
import { histogram, HISTOGRAM_EDGES_MS } from '../stats';
import { renderTables } from './table';

/** Chart.js's UMD build, inlined so the report opens anywhere, offline, as one file. */
function chartJs(): string {
  return readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
}

/** A self-contained HTML report: the tables, and charts drawn by Chart.js from the figures below. */
export function renderHtml(r: LoadResults): string {
  const data = chartData(r);
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>feed-fanout load run ${esc(r.meta.startedAt)}</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; color: #222; }
  pre { background: #f6f6f6; padding: 12px; overflow-x: auto; font-size: 12px; }
  .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
  .chart { position: relative; height: 340px; }
  h2 { margin-top: 32px; }
</style></head><body>
<h1>feed-fanout load run</h1>
<p>${esc(r.meta.startedAt)}, ${r.meta.seconds} s on ${r.meta.machine.cpus} CPUs (${esc(r.meta.machine.cpuModel)}), Node ${esc(r.meta.machine.node)},
Redis ${esc(r.meta.machine.redis)}, PostgreSQL ${esc(r.meta.machine.postgres)}. Graph: ${r.graph.users.toLocaleString('en-US')} users,
${r.graph.follows.toLocaleString('en-US')} follows (following p50 ${r.graph.following.p50}, p99 ${r.graph.following.p99}, max ${r.graph.following.max}),
${r.graph.timelines.toLocaleString('en-US')} timelines of ${r.graph.entriesPerTimeline} entries.</p>
<h2>Delays and latency against follower count</h2>
<div class="charts">
  <div class="chart"><canvas id="delayVsFollowers"></canvas></div>
  <div class="chart"><canvas id="postVsFollowers"></canvas></div>
</div>
<h2>Delay distribution</h2>
<div class="charts">
  <div class="chart"><canvas id="fanoutHistogram"></canvas></div>
  <div class="chart"><canvas id="pushHistogram"></canvas></div>
</div>
<h2>Baselines</h2>
<div class="charts">
  <div class="chart"><canvas id="writes"></canvas></div>
  <div class="chart"><canvas id="reads"></canvas></div>
</div>
<h2>Reading beyond the window</h2>
<div class="charts">
  <div class="chart"><canvas id="deepReads"></canvas></div>
  <div class="chart"><canvas id="returning"></canvas></div>
</div>
<h2>Tables</h2>
<pre>${esc(renderTables(r))}</pre>
<script>${chartJs()}</script>
<script>
const data = ${JSON.stringify(data)};
const colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2'];
const logX = { type: 'logarithmic', title: { display: true, text: 'followers' } };
const logY = (text) => ({ type: 'logarithmic', title: { display: true, text } });
const line = (label, points, i, dash) => ({ label, data: points, showLine: true, borderColor: colors[i % colors.length],
  backgroundColor: colors[i % colors.length], borderDash: dash ? [6, 4] : [], pointRadius: 4 });
const opts = (title, x, y) => ({ responsive: true, maintainAspectRatio: false, plugins: { title: { display: true, text: title } }, scales: { x, y } });

new Chart(document.getElementById('delayVsFollowers'), { type: 'scatter', data: { datasets: [
  line('fan-out p50', data.byFollowers.map((c) => ({ x: c.followers, y: c.fanout.p50 })), 0, true),
  line('fan-out p99', data.byFollowers.map((c) => ({ x: c.followers, y: c.fanout.p99 })), 0),
  line('push p50', data.byFollowers.map((c) => ({ x: c.followers, y: c.push.p50 })), 1, true),
  line('push p99', data.byFollowers.map((c) => ({ x: c.followers, y: c.push.p99 })), 1),
] }, options: opts('Post → last timeline, post → push received (queue mode)', logX, logY('ms')) });

new Chart(document.getElementById('postVsFollowers'), { type: 'scatter', data: { datasets: [
  line('queue p50', data.byFollowers.map((c) => ({ x: c.followers, y: c.post.p50 })), 2, true),
  line('queue p99', data.byFollowers.map((c) => ({ x: c.followers, y: c.post.p99 })), 2),
  line('inline p50', data.inline.map((c) => ({ x: c.followers, y: c.post.p50 })), 3, true),
  line('inline p99', data.inline.map((c) => ({ x: c.followers, y: c.post.p99 })), 3),
] }, options: opts('POST /posts latency: queue against FANOUT_MODE=inline', logX, logY('ms')) });

const share = { title: { display: true, text: 'share of samples (%)' }, beginAtZero: true };
const bucketAxis = { title: { display: true, text: 'ms (bucket upper bound)' } };
for (const [id, key, title] of [['fanoutHistogram', 'fanoutHist', 'Post → last timeline'], ['pushHistogram', 'pushHist', 'Post → push received']]) {
  new Chart(document.getElementById(id), { type: 'bar', data: { labels: data.buckets,
    datasets: data.classes.filter((c) => c[key].some((v) => v > 0)).map((c, i) => ({ label: c.label, data: c[key], backgroundColor: colors[i % colors.length] })) },
    options: opts(title + ': distribution by class', bucketAxis, share) });
}

new Chart(document.getElementById('writes'), { type: 'bar', data: { labels: data.writes.map((w) => w.label),
  datasets: [{ label: 'timelines written per second', data: data.writes.map((w) => w.value), backgroundColor: [colors[0], '#7f7f7f'] }] },
  options: opts('Fan-out against a raw pipelined Redis write', {}, { beginAtZero: true }) });

new Chart(document.getElementById('reads'), { type: 'bar', data: { labels: data.reads.labels,
  datasets: data.reads.series.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: colors[i + 4] })) },
  options: opts('Home page of ' + data.reads.limit + ' posts: reads per second', {}, { beginAtZero: true }) });

new Chart(document.getElementById('deepReads'), { type: 'bar', data: { labels: data.deep.labels,
  datasets: data.deep.series.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: colors[(i * 2) % colors.length] })) },
  options: opts('Pages of ' + data.deep.limit + ' below the Redis window: pages per second', {}, { beginAtZero: true }) });

new Chart(document.getElementById('returning'), { type: 'bar', data: { labels: ['p50', 'p99'],
  datasets: data.returning.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: colors[(i + 3) % colors.length] })) },
  options: opts('Returning reader following ' + data.returningFollowing + ' accounts: first page (ms)', {}, { beginAtZero: true }) });
</script>
</body></html>
`;
}

function chartData(r: LoadResults) {
  const point = (c: ClassResult) => ({
    followers: c.followers,
    fanout: { p50: c.summary.fanoutMs.p50, p99: c.summary.fanoutMs.p99 },
    push: { p50: c.summary.pushMs.p50, p99: c.summary.pushMs.p99 },
    post: { p50: c.summary.postMs.p50, p99: c.summary.postMs.p99 },
  });
  const percent = (counts: number[]) => {
    const total = counts.reduce((a, b) => a + b, 0);
    return counts.map((n) => (total ? Math.round((n / total) * 1000) / 10 : 0));
  };
  const shown = [...r.classes, ...(r.big ? [r.big] : [])];
  const largest = r.classes[r.classes.length - 1];
  const inFlight = r.reads ? Object.keys(r.reads.http) : [];
  const deep = r.deepReads;
  const deepInFlight = deep ? Object.keys(deep.http) : [];
  const back = r.returning;
  return {
    byFollowers: r.classes.map(point),
    inline: r.inline.map(point),
    buckets: [...HISTOGRAM_EDGES_MS.map((e) => `≤${e}`), `>${HISTOGRAM_EDGES_MS[HISTOGRAM_EDGES_MS.length - 1]}`],
    classes: shown.map((c) => ({
      label: c.label,
      fanoutHist: percent(histogram(c.posts.flatMap((p) => (p.fanout?.delayMs == null ? [] : [p.fanout.delayMs])), HISTOGRAM_EDGES_MS)),
      pushHist: percent(histogram(c.posts.flatMap((p) => p.pushes?.delaysMs ?? []), HISTOGRAM_EDGES_MS)),
    })),
    writes: [
      { label: `our fan-out (${largest ? largest.followers.toLocaleString('en-US') : '-'} followers)`, value: largest?.summary.deliveriesPerSec ?? 0 },
      { label: 'raw pipelined Redis write', value: r.rawWrite?.perSec ?? 0 },
    ],
    reads: {
      limit: r.reads?.limit ?? 0,
      labels: inFlight.map((n) => `${n} in flight`),
      series: r.reads
        ? [
            { label: 'GET /timelines/home (HTTP)', values: inFlight.map((n) => r.reads!.http[n].perSec) },
            { label: 'raw Redis read', values: inFlight.map((n) => r.reads!.rawRedis[n]?.perSec ?? 0) },
            { label: 'SQL fan-out on read', values: inFlight.map((n) => r.reads!.sql[n]?.perSec ?? 0) },
          ]
        : [],
    },
    deep: {
      limit: deep?.limit ?? 0,
      labels: deepInFlight.map((n) => `${n} in flight`),
      series: deep
        ? [
            { label: 'GET /timelines/home?cursor= (HTTP)', values: deepInFlight.map((n) => deep.http[n].perSec) },
            { label: 'SQL fan-out on read', values: deepInFlight.map((n) => deep.sql[n]?.perSec ?? 0) },
            { label: 'SQL fan-out on read, ids first', values: deepInFlight.map((n) => deep.sqlIdsFirst[n]?.perSec ?? 0) },
          ]
        : [],
    },
    returningFollowing: back?.following ?? 0,
    returning: back
      ? [
          { label: 'timeline missing (from PostgreSQL)', values: [back.coldMs.p50, back.coldMs.p99] },
          { label: 'timeline rebuilt (from Redis)', values: [back.warmMs.p50, back.warmMs.p99] },
        ]
      : [],
  };
}
