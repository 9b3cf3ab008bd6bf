import { ClassResult } from '../results';
import { RunContext } from './context';
import { runClass } from './post-class';

/** Fan-out on write, one class after the other, each at its own rate (see --rate). */
export async function runFanoutClasses(ctx: RunContext): Promise<ClassResult[]> {
  const results: ClassResult[] = [];
  for (const [i, author] of ctx.authors.entries()) {
    results.push(
      await runClass(ctx, {
        label: `fan-out ${author.followers.toLocaleString('en-US')}`,
        kind: 'fanout',
        author,
        count: ctx.plan.posts[i],
        rate: ctx.plan.rate[i],
        finalState: 'done',
        expectedPushes: Math.min(author.followers, ctx.graph.clients.length),
      }),
    );
  }
  return results;
}

/**
 * The big-account path: an author above FANOUT_CELEBRITY_THRESHOLD is not fanned out; the post is
 * merged into timelines at read, and pushed with one emit to the room its online followers joined.
 */
export function runBigAccount(ctx: RunContext): Promise<ClassResult> {
  return runClass(ctx, {
    label: `big account ${ctx.big.followers.toLocaleString('en-US')}`,
    kind: 'big',
    author: ctx.big,
    count: ctx.options.bigPosts,
    rate: 10,
    finalState: 'skipped',
    expectedPushes: ctx.graph.clients.length,
  });
}
