import { ClassResult, FairnessResult, PostRecord } from '../results';
import { RunContext, sleep } from './context';
import { runClass, summarizeClass } from './post-class';

const SMALL_RATE = 10;
const MAX_BACKGROUND_POSTS = 6;

/**
 * mastodon#17856: one popular post held up every other fan-out for half an hour. The small
 * author's fan-out delay is measured on an idle system, then again while the largest class's
 * fan-outs run; only small posts created while one of those was still running count as loaded.
 */
export async function runFairness(ctx: RunContext, largestDelayMs: number | null): Promise<FairnessResult> {
  const small = ctx.authors[0];
  const large = ctx.authors[ctx.authors.length - 1];
  const count = ctx.options.fairnessPosts;
  const spec = {
    kind: 'fairness-idle' as const,
    author: small,
    count,
    rate: SMALL_RATE,
    finalState: 'done' as const,
    expectedPushes: Math.min(small.followers, ctx.graph.clients.length),
  };
  const idle = await runClass(ctx, { ...spec, label: `fairness: ${small.followers} idle` });

  // Enough large posts to outlast the small ones' posting window, judged by the large class's delay.
  const window = (count / SMALL_RATE) * 1000 + 1000;
  const backgroundPosts = Math.min(MAX_BACKGROUND_POSTS, Math.max(1, Math.ceil(window / (largestDelayMs ?? 2000))));
  const background: PostRecord[] = [];
  for (let i = 0; i < backgroundPosts; i++) {
    const res = await ctx.api.post<{ id: string; createdAt: string }>('/posts', { text: `fairness background #${i} ${ctx.tag}` }, large.token);
    if (res.status !== 201) throw new Error(`POST /posts answered ${res.status}`);
    background.push({ id: res.body.id, createdAt: res.body.createdAt, status: res.status, postMs: res.ms, fanout: null, pushes: null });
  }
  await untilState(ctx, large.token, background[0].id, ['running', 'done']);
  const loadedRun = await runClass(ctx, { ...spec, kind: 'fairness-loaded', label: `fairness: ${small.followers} during ${large.followers}` });
  for (const post of background) {
    post.fanout = await untilState(ctx, large.token, post.id, ['done']);
  }
  const lastFinished = Math.max(...background.map((p) => Date.parse(p.fanout!.finishedAt!)));
  const overlapping = loadedRun.posts.filter((p) => Date.parse(p.createdAt) < lastFinished);
  const loaded: ClassResult = { ...loadedRun, posts: overlapping, summary: summarizeClass(overlapping) };
  return {
    idle,
    loaded,
    background: {
      followers: large.followers,
      posts: background.length,
      overlapping: overlapping.length,
      firstCreatedAt: background[0].createdAt,
      lastFinishedAt: new Date(lastFinished).toISOString(),
    },
  };
}

async function untilState(ctx: RunContext, token: string, postId: string, states: string[]): Promise<NonNullable<PostRecord['fanout']>> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const res = await ctx.api.get<NonNullable<PostRecord['fanout']>>(`/posts/${postId}/fanout`, token);
    if (res.status === 200 && states.includes(res.body.state)) return res.body;
    if (Date.now() > deadline) throw new Error(`fan-out of ${postId} did not reach ${states.join('/')} in 5 minutes`);
    await sleep(20);
  }
}
