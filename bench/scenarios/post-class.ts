import { Http } from '../http';
import { ClassKind, ClassResult, ClassSummary, PostRecord } from '../results';
import { summarize } from '../stats';
import { mapLimit, Poster, RunContext, sleep } from './context';

const STATUS_POLL_MS = 100;
const STATUS_CONCURRENCY = 8;
/** After the last fan-out finished, how long pushes may still be on their way. */
const PUSH_GRACE_MS = 5_000;

export interface ClassSpec {
  label: string;
  kind: ClassKind;
  author: Poster;
  count: number;
  /** Posts a second (open loop), or null for one after the other. */
  rate: number | null;
  /** The state a finished fan-out reports: done, or skipped for a big account. */
  finalState: 'done' | 'skipped';
  /** Clients following the author: each must receive every post once. */
  expectedPushes: number;
  http?: Http;
}

/**
 * Posts a class's posts through the REST API and measures each: POST latency at the client, the
 * fan-out delay the service reports (post created → last follower timeline written), and the delay
 * at every live client (received − created, one clock). Status is polled only once posting is
 * over, so the polling never competes with the posts being measured.
 */
export async function runClass(ctx: RunContext, spec: ClassSpec): Promise<ClassResult> {
  const http = spec.http ?? ctx.api;
  await ctx.fleet?.collect(); // drop receipts of anything earlier
  const pushBaseline = ctx.fleet?.receivedCount ?? 0;
  ctx.progress.start(spec.label, spec.count);
  const cpu = ctx.cpu.start();

  const posts = await send(ctx, http, spec);
  await awaitFanouts(ctx, http, spec, posts);
  await awaitPushes(ctx, spec, posts, pushBaseline);

  const result: ClassResult = {
    label: spec.label,
    kind: spec.kind,
    followers: spec.author.followers,
    onlineFollowers: spec.expectedPushes,
    rate: spec.rate,
    posts,
    summary: summarizeClass(posts),
    cpu: cpu(),
  };
  const s = result.summary;
  ctx.progress.finish(`POST p99 ${s.postMs.p99} ms, fan-out p99 ${s.fanoutMs.p99} ms, push p99 ${s.pushMs.p99 ?? '-'} ms`);
  return result;
}

async function send(ctx: RunContext, http: Http, spec: ClassSpec): Promise<PostRecord[]> {
  const posts: PostRecord[] = [];
  let sent = 0;
  const one = async (i: number) => {
    const res = await http.post<{ id: string; createdAt: string }>('/posts', { text: `${spec.label} #${i} ${ctx.tag}` }, spec.author.token);
    if (res.status !== 201) throw new Error(`POST /posts answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
    posts[i] = { id: res.body.id, createdAt: res.body.createdAt, status: res.status, postMs: round(res.ms), fanout: null, pushes: null };
    ctx.progress.update(++sent, `sent ${sent}`);
  };
  if (spec.rate === null) {
    for (let i = 0; i < spec.count; i++) await one(i);
    return posts;
  }
  // Open loop: each post leaves at its scheduled time, whether or not earlier ones have answered.
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < spec.count; i++) {
    const wait = started + (i * 1000) / spec.rate - performance.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(one(i));
  }
  await Promise.all(inFlight);
  return posts;
}

async function awaitFanouts(ctx: RunContext, http: Http, spec: ClassSpec, posts: PostRecord[]): Promise<void> {
  const deadline = Date.now() + 60_000 + (spec.count * spec.author.followers) / 5;
  let pending = posts.filter((p) => !p.fanout);
  while (pending.length > 0) {
    await mapLimit(pending, STATUS_CONCURRENCY, async (post) => {
      const res = await http.get<NonNullable<PostRecord['fanout']>>(`/posts/${post.id}/fanout`, spec.author.token);
      if (res.status !== 200) throw new Error(`GET /posts/${post.id}/fanout answered ${res.status}`);
      if (res.body.state === spec.finalState) {
        const { state, followers, delivered, delayMs, startedAt, finishedAt } = res.body;
        post.fanout = { state, followers, delivered, delayMs, startedAt, finishedAt };
      }
    });
    pending = pending.filter((p) => !p.fanout);
    ctx.progress.update(posts.length, `fan-outs finished ${posts.length - pending.length}/${posts.length}`);
    if (pending.length === 0) break;
    if (Date.now() > deadline) {
      // Reported, not hidden: the summary says not every fan-out finished.
      for (const post of pending) {
        const res = await http.get<NonNullable<PostRecord['fanout']>>(`/posts/${post.id}/fanout`, spec.author.token);
        post.fanout = res.status === 200 ? { ...res.body, delayMs: null } : null;
      }
      break;
    }
    await sleep(STATUS_POLL_MS);
  }
}

async function awaitPushes(ctx: RunContext, spec: ClassSpec, posts: PostRecord[], baseline: number): Promise<void> {
  if (!ctx.fleet) return;
  const expected = spec.expectedPushes * posts.length;
  const deadline = Date.now() + PUSH_GRACE_MS;
  while (ctx.fleet.receivedCount - baseline < expected && Date.now() < deadline) await sleep(50);
  // Progress counts arrive every 250 ms; one more beat lets the last receipts land.
  await sleep(300);
  const { posts: receipts } = await ctx.fleet.collect();
  for (const post of posts) {
    const got = receipts.get(post.id);
    post.pushes = {
      expected: spec.expectedPushes,
      received: got?.users ?? 0,
      duplicates: got?.duplicates ?? 0,
      delaysMs: got?.delays ?? [],
    };
  }
}

export function summarizeClass(posts: PostRecord[]): ClassSummary {
  const finished = posts.filter((p) => p.fanout?.delayMs !== null && p.fanout?.delayMs !== undefined);
  return {
    postMs: summarize(posts.map((p) => p.postMs)),
    fanoutMs: summarize(finished.map((p) => p.fanout!.delayMs!)),
    pushMs: summarize(posts.flatMap((p) => p.pushes?.delaysMs ?? [])),
    deliveriesPerSec: deliveriesPerSec(finished),
    allFinished: finished.length === posts.length,
    allPushed: posts.every((p) => !p.pushes || p.pushes.received === p.pushes.expected),
    duplicatePushes: posts.reduce((sum, p) => sum + (p.pushes?.duplicates ?? 0), 0),
  };
}

/**
 * Follower timelines written per second of busy time: the union of every post's [created,
 * finished] span, so overlapping fan-outs are not counted twice and idle gaps between posts are
 * not counted at all.
 */
function deliveriesPerSec(posts: PostRecord[]): number | null {
  const spans = posts
    .filter((p) => p.fanout!.state === 'done' && p.fanout!.followers > 0)
    .map((p) => {
      const start = Date.parse(p.createdAt);
      return [start, start + p.fanout!.delayMs!] as const;
    })
    .sort((a, b) => a[0] - b[0]);
  if (spans.length === 0) return null;
  let busy = 0;
  let [from, to] = spans[0];
  for (const [start, end] of spans.slice(1)) {
    if (start > to) {
      busy += to - from;
      [from, to] = [start, end];
    } else to = Math.max(to, end);
  }
  busy += to - from;
  const delivered = posts.reduce((sum, p) => sum + (p.fanout!.state === 'done' ? p.fanout!.delivered : 0), 0);
  return busy > 0 ? Math.round((delivered / busy) * 1000) : null;
}

const round = (ms: number) => Math.round(ms * 10) / 10;
