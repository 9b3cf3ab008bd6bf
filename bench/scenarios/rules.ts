import { Http } from '../http';
import { RulesResult, Throughput } from '../results';
import { mapLimit, RunContext } from './context';
import { overHttp } from './reads';

/** Posts per side, in the mix: per ten, two replies and one repost. */
const POSTS = 10;
const REPLY_SLOTS = [0, 5];
const REPOST_SLOT = 3;
const IN_FLIGHT = 50;
const ROUNDS = 2;
const LIMIT = 50;

/**
 * What the feed rules cost, in one run: the same posts and the same home reads against two
 * FANOUT_MODE=inline instances, one with the rules (ctx.inline) and one with FEED_RULES=off,
 * alternated so that neither always runs on the quieter machine. Inline, a POST returns when every
 * follower has been considered, so followers ÷ the POST's time is the fan-out's deliveries/s.
 * The poster is the largest class up to 10,000 followers; its replies answer pool users' posts, so
 * rule 1 asks PostgreSQL per batch, and its reposts bring in their authors' relations.
 */
export async function runRules(ctx: RunContext, off: Http, offUrl: string, onUrl: string): Promise<RulesResult> {
  const on = ctx.inline;
  if (!on) throw new Error('the inline instance is not running');
  const author = [...ctx.authors].reverse().find((a) => a.followers <= 10_000) ?? ctx.authors[0];
  const { rows } = await ctx.sql.query<{ id: string }>(
    `SELECT id FROM posts WHERE author_id BETWEEN $1 AND $2 AND repost_of_id IS NULL AND deleted_at IS NULL ORDER BY id DESC LIMIT $3`,
    [ctx.graph.pool.first, ctx.graph.pool.last, 4 * POSTS],
  );
  const others = rows.map((r) => r.id);
  const postSeconds = { on: 0, off: 0 };
  ctx.progress.start(`rules: ${POSTS} posts each side at ${author.followers.toLocaleString('en-US')} followers`, 2 * POSTS);
  for (let i = 0; i < POSTS; i++) {
    for (const [side, http] of (i % 2 ? [['off', off], ['on', on]] : [['on', on], ['off', off]]) as [keyof typeof postSeconds, Http][]) {
      const other = others.shift();
      const text = `${ctx.tag} rules ${side} ${i}`;
      const res =
        i % 10 === REPOST_SLOT && other
          ? await http.post(`/posts/${other}/repost`, {}, author.token)
          : await http.post('/posts', REPLY_SLOTS.includes(i % 10) && other ? { text, replyToId: other } : { text }, author.token);
      if (res.status !== 201) throw new Error(`rules: POST answered ${res.status} on the rules-${side} instance: ${JSON.stringify(res.body)}`);
      postSeconds[side] += res.ms / 1000;
      ctx.progress.update(2 * i + (side === 'on' ? 1 : 2));
    }
  }
  const deliveries = { on: Math.round((POSTS * author.followers) / postSeconds.on), off: Math.round((POSTS * author.followers) / postSeconds.off) };
  ctx.progress.finish(`${deliveries.on}/s with the rules, ${deliveries.off}/s without`);

  const readers = ctx.graph.clients;
  const tokens = readers.map((user) => ctx.token(user));
  // Every reader once on each side first: relations and posts cached, as a day of reading leaves them.
  await mapLimit(tokens, 16, async (token) => {
    for (const http of [on, off]) {
      const res = await http.get(`/timelines/home?limit=${LIMIT}`, token);
      if (res.status !== 200) throw new Error(`rules: GET /timelines/home answered ${res.status}`);
    }
  });
  // At least a second a side, and a first untimed one each: a window shorter than a loaded
  // machine's first answers at 50 in flight measures nothing but the JIT.
  const seconds = Math.max(ctx.options.readSeconds, 1);
  for (const url of [onUrl, offUrl]) await overHttp(url, tokens, IN_FLIGHT, seconds);
  const reads: Record<'on' | 'off', Throughput[]> = { on: [], off: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      ctx.progress.start(`rules: home reads, rules ${side}, ${IN_FLIGHT} in flight`);
      reads[side].push(await overHttp(side === 'on' ? onUrl : offUrl, tokens, IN_FLIGHT, seconds));
      ctx.progress.finish(`${reads[side][reads[side].length - 1].perSec} req/s`);
    }
  }
  const perSec = (runs: Throughput[]) => Math.round(runs.reduce((sum, r) => sum + r.perSec, 0) / runs.length);
  const errors = (runs: Throughput[]) => runs.reduce((sum, r) => sum + r.errors, 0);
  return {
    followers: author.followers,
    posts: POSTS,
    deliveriesPerSec: deliveries,
    homeReadsPerSec: { on: perSec(reads.on), off: perSec(reads.off) },
    readErrors: errors(reads.on) + errors(reads.off),
  };
}
