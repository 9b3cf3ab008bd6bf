import { INestApplicationContext } from '@nestjs/common';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { MetricsServer } from '../src/metrics/metrics-server';
import { ApiClient, eventually } from './support/api-client';
import { LiveClient } from './support/live-client';
import { exportedSeries, metricNames } from './support/promql';
import { TestEnv } from './support/test-env';

const ROOT = join(__dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
/** Series Prometheus makes itself. */
const PROMETHEUS_OWN = new Set(['up']);

type Json = Record<string, any>;

/** Every PromQL expression of the Grafana dashboard and of the Prometheus configuration. */
function expressions(): { where: string; expr: string }[] {
  const dashboard = JSON.parse(read('ops/grafana/dashboards/feed-fanout.json')) as Json;
  const fromDashboard = (dashboard.panels as Json[]).flatMap((panel) =>
    (panel.targets ?? []).map((t: Json) => ({ where: `dashboard panel "${panel.title}"`, expr: t.expr as string })),
  );
  const prometheus = load(read('ops/prometheus/prometheus.yml')) as Json;
  const fromRules = (prometheus.rule_files as string[]).flatMap((file) => {
    const rules = load(read(join('ops/prometheus', file.split('/').pop()!))) as Json;
    return (rules.groups as Json[]).flatMap((g) => (g.rules as Json[]).map((r) => ({ where: `rule ${r.alert ?? r.record}`, expr: String(r.expr) })));
  });
  return [...fromDashboard, ...fromRules];
}

/** The names that a scrape of these processes lacks, a histogram's _bucket/_sum/_count included. */
function missingFrom(exported: Set<string>, names: string[]): string[] {
  return names.filter((name) => !exported.has(name) && !PROMETHEUS_OWN.has(name));
}

describe('the operator’s view: METRICS_PORT, Prometheus and the Grafana dashboard', () => {
  let env: TestEnv;
  let api: ApiClient;
  let url: string;
  let apiMetrics: string;
  let workerMetrics: string;

  const metricsPort = (app: INestApplicationContext) => app.get(MetricsServer).port;

  beforeAll(async () => {
    env = await TestEnv.create();
    // The compose split: an API process and a worker process, each with METRICS_PORT.
    const started = await env.startApp({ ROLE: 'api', METRICS_PORT: '0' });
    url = started.url;
    apiMetrics = `http://127.0.0.1:${metricsPort(started.app)}`;
    workerMetrics = `http://127.0.0.1:${metricsPort(await env.startWorker({ METRICS_PORT: '0' }))}`;
    api = new ApiClient(url);
  });

  afterAll(() => env.close());

  it('serves /metrics on METRICS_PORT in the API and the worker role, and nothing else there', async () => {
    for (const base of [apiMetrics, workerMetrics]) {
      const res = await request(base).get('/metrics');
      expect([base, res.status]).toEqual([base, 200]);
      expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(res.text).toContain('# TYPE feed_fanout_delay_seconds histogram');
      expect((await request(base).get('/health')).status).toBe(404);
      expect((await request(base).post('/metrics')).status).toBe(404);
    }
  });

  it('exports what the worker measures from the worker, and what the API measures from the API', async () => {
    const alice = await api.register();
    const bob = await api.register();
    await api.follow(bob, alice);
    const live = await LiveClient.connect(url, bob.token);
    try {
      const post = await api.createPost(alice, 'measured end to end');
      await eventually(async () => expect((await api.get(`/posts/${post.id}/fanout`, alice)).body.state).toBe('done'));
      await eventually(async () => expect(live.posts.map((p) => p.id)).toContain(post.id));
    } finally {
      live.close();
    }
    const worker = (await request(workerMetrics).get('/metrics')).text;
    expect(worker).toMatch(/^feed_fanout_delay_seconds_count\{followers="<=10"\} 1$/m);
    expect(worker).toMatch(/^feed_fanout_deliveries_total 1$/m);
    expect(worker).toMatch(/^feed_job_wait_seconds_count\{queue="fanout"\} [1-9]/m);
    expect(worker).toMatch(/^feed_push_delay_seconds_count\{path="followers"\} 1$/m);
    const apiText = (await request(apiMetrics).get('/metrics')).text;
    expect(apiText).toMatch(/^feed_push_delay_seconds_count\{path="author"\} 1$/m);
    expect(apiText).toMatch(/^feed_http_request_duration_seconds_count\{method="POST",route="\/posts",status="201"\} 1$/m);
    // The API's own port serves the same registry.
    expect((await request(url).get('/metrics')).text).toMatch(/^feed_push_delay_seconds_count\{path="author"\} 1$/m);
  });

  it('exports every metric that the Grafana dashboard and the Prometheus rules read', async () => {
    const found = expressions();
    expect(found.length).toBeGreaterThanOrEqual(20);
    const exported = new Set([
      ...exportedSeries((await request(apiMetrics).get('/metrics')).text),
      ...exportedSeries((await request(workerMetrics).get('/metrics')).text),
    ]);
    const missing = found.flatMap(({ where, expr }) => missingFrom(exported, metricNames(expr)).map((name) => `${name} (${where})`));
    expect(missing).toEqual([]);
    // The check can fail: a name no process exports is reported.
    expect(missingFrom(exported, metricNames('rate(feed_not_a_metric_total[5m])'))).toEqual(['feed_not_a_metric_total']);
  });

  it('reads PromQL the way the check above needs', () => {
    expect(
      metricNames('histogram_quantile(0.99, sum by (le, followers) (rate(feed_fanout_delay_seconds_bucket{followers!=">10000"}[5m]))) > 5'),
    ).toEqual(['feed_fanout_delay_seconds_bucket']);
    expect(metricNames('sum(rate(a_total{status=~"5.."}[$__rate_interval])) / on(job) b and up{job=~"x"} == 0')).toEqual(['a_total', 'b', 'up']);
  });

  it('points Prometheus at METRICS_PORT of every API and worker container of the compose file, and Grafana at Prometheus', () => {
    // Compose files use YAML merge keys (<<: *app-env).
    const compose = load(read('docker-compose.yml'), { schema: CORE_SCHEMA.withTags(mergeTag) }) as Json;
    const prometheus = load(read('ops/prometheus/prometheus.yml')) as Json;
    const targets = (prometheus.scrape_configs as Json[]).map((job) => job.dns_sd_configs[0]);
    for (const service of ['api', 'worker']) {
      const port = Number(compose.services[service].environment.METRICS_PORT);
      expect(targets).toContainEqual(expect.objectContaining({ names: [service], port }));
    }
    for (const service of ['prometheus', 'grafana']) {
      expect(compose.services[service].profiles).toEqual(['observability']);
      for (const volume of compose.services[service].volumes as string[]) {
        const [source] = volume.split(':');
        if (source.startsWith('./')) expect([source, existsSync(join(ROOT, source))]).toEqual([source, true]);
      }
    }
    const datasource = load(read('ops/grafana/provisioning/datasources/prometheus.yml')) as Json;
    const dashboard = JSON.parse(read('ops/grafana/dashboards/feed-fanout.json')) as Json;
    for (const panel of dashboard.panels as Json[]) {
      if (panel.type !== 'row') expect([panel.title, panel.datasource.uid]).toEqual([panel.title, datasource.datasources[0].uid]);
    }
  });
});
