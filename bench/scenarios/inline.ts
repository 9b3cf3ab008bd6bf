import { ClassResult } from '../results';
import { RunContext } from './context';
import { runClass } from './post-class';

/**
 * The naive baseline: FANOUT_MODE=inline writes every follower's timeline inside POST /posts, so
 * the request takes as long as the whole fan-out. Posts go one after the other, per class.
 */
export async function runInline(ctx: RunContext): Promise<ClassResult[]> {
  if (!ctx.inline) throw new Error('the inline instance is not running');
  const results: ClassResult[] = [];
  for (const [i, author] of ctx.authors.entries()) {
    if (ctx.options.inlinePosts[i] === 0) continue;
    results.push(
      await runClass(ctx, {
        label: `inline ${author.followers.toLocaleString('en-US')}`,
        kind: 'inline',
        author,
        count: ctx.options.inlinePosts[i],
        rate: null,
        finalState: 'done',
        expectedPushes: Math.min(author.followers, ctx.graph.clients.length),
        http: ctx.inline,
      }),
    );
  }
  return results;
}
