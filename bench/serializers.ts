/**
 * How a page of posts should become JSON, measured: the three ways a Fastify route can write the
 * home page's body, on the same pages, side by side in one run.
 *
 * - `JSON.stringify`: what Fastify does for a route without a response schema (the service today);
 * - compiled schema: what `@RouteSchema({ response: { 200: schema } })` makes Fastify do, a
 *   serializer compiled from the page's JSON Schema by fast-json-stringify;
 * - joined: each post's JSON made once (as a cached post's text is) and the page's JSON joined
 *   from them, the cheapest a serializer can be.
 *
 * Pages look like the load's: 50 posts, a fifth of them reposts, a third replies, texts of up to
 * 280 code points with non-ASCII letters and characters JSON must escape. Rounds are interleaved,
 * the median round is reported, with each way's cost per page and its ratio to JSON.stringify.
 * Every way is first checked to write exactly what JSON.stringify writes.
 *
 *   npm run bench:serializers -- [--pages 2000] [--rounds 5] [--posts 50]
 */
import fastJsonStringify from 'fast-json-stringify';
import { parseArgs } from 'node:util';
import { PostView } from '../src/post-store/post.presenter';
import { grid } from './report/table';
import { median, round } from './stats';

const STRING = { type: 'string' } as const;
const AUTHOR = { type: 'object', properties: { id: STRING, username: STRING, displayName: STRING }, required: ['id', 'username', 'displayName'] };
const REPLY_TO = { type: 'object', nullable: true, properties: { id: STRING, author: AUTHOR }, required: ['id', 'author'] };
const POST_FIELDS = { id: STRING, text: STRING, createdAt: STRING, author: AUTHOR, replyTo: REPLY_TO };
const REQUIRED = ['id', 'text', 'createdAt', 'author', 'replyTo', 'repostOf'];
const ORIGINAL = { type: 'object', nullable: true, properties: { ...POST_FIELDS, repostOf: { type: 'null' } }, required: REQUIRED };
/** PostPage as a JSON Schema: what a route's response schema would say. */
export const POST_PAGE_SCHEMA = {
  type: 'object',
  properties: {
    items: { type: 'array', items: { type: 'object', properties: { ...POST_FIELDS, repostOf: ORIGINAL }, required: REQUIRED } },
    nextCursor: { type: 'string', nullable: true },
  },
  required: ['items', 'nextCursor'],
};

const WORDS = ['fan-out', 'timeline', 'Grüße', 'naïve', 'café', '“quoted”', 'line\nbreak', 'tab\there', 'back\\slash', '日本語', '🙂', 'ok'];

function text(seed: number): string {
  const words: string[] = [];
  let length = 0;
  for (let i = 0; length < 40 + (seed * 37) % 200; i++) {
    const word = WORDS[(seed * 7 + i * 3) % WORDS.length];
    words.push(word);
    length += word.length + 1;
  }
  return words.join(' ');
}

function post(id: number, kind: 'plain' | 'reply' | 'repost'): PostView {
  const author = { id: String(100_000 + (id % 977)), username: `user_${id % 977}`, displayName: `User ${id % 977} ✓` };
  const base: PostView = {
    id: String(246_311_295_123_457 + id),
    text: kind === 'repost' ? '' : text(id),
    createdAt: new Date(1_780_000_000_000 + id * 1000).toISOString(),
    author,
    replyTo: kind === 'reply' ? { id: String(246_311_295_000_000 + id), author: { ...author, id: '42', username: 'ada_l' } } : null,
    repostOf: null,
  };
  if (kind === 'repost') base.repostOf = post(id + 500_000, id % 2 === 0 ? 'reply' : 'plain');
  return base;
}

function page(n: number, posts: number): { items: PostView[]; nextCursor: string | null } {
  const items = Array.from({ length: posts }, (_, i) => {
    const id = n * posts + i;
    return post(id, id % 5 === 0 ? 'repost' : id % 3 === 0 ? 'reply' : 'plain');
  });
  return { items, nextCursor: n % 10 === 9 ? null : `YzE6${n}` };
}

type Serializer = (p: { items: PostView[]; nextCursor: string | null }) => string;

function main(): void {
  const { values } = parseArgs({ options: { pages: { type: 'string' }, rounds: { type: 'string' }, posts: { type: 'string' } } });
  const pageCount = Number(values.pages ?? 2000);
  const rounds = Number(values.rounds ?? 5);
  const perPage = Number(values.posts ?? 50);
  const pages = Array.from({ length: pageCount }, (_, n) => page(n, perPage));

  const compiled = fastJsonStringify(POST_PAGE_SCHEMA as Parameters<typeof fastJsonStringify>[0]) as Serializer;
  // Made once per post, as a cached post's text is made once when it is cached.
  const json = new Map<PostView, string>(pages.flatMap((p) => p.items.map((item) => [item, JSON.stringify(item)] as const)));
  const joined: Serializer = (p) => `{"items":[${p.items.map((item) => json.get(item)).join(',')}],"nextCursor":${JSON.stringify(p.nextCursor)}}`;
  const ways: [string, Serializer][] = [
    ['JSON.stringify (the service)', (p) => JSON.stringify(p)],
    ['compiled schema (fast-json-stringify)', compiled],
    ['joined from each post’s JSON', joined],
  ];

  for (const [label, serialize] of ways) {
    for (const p of pages.slice(0, 50)) {
      if (serialize(p) !== JSON.stringify(p)) throw new Error(`${label} does not write what JSON.stringify writes`);
    }
  }

  const samples = new Map<string, number[]>(ways.map(([label]) => [label, []]));
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    // Each round runs every way, in a rotated order, so that all see the same machine noise.
    for (let k = 0; k < ways.length; k++) {
      const [label, serialize] = ways[(r + k) % ways.length];
      const start = process.hrtime.bigint();
      for (const p of pages) sink += serialize(p).length;
      samples.get(label)!.push(Number(process.hrtime.bigint() - start) / 1000 / pages.length);
    }
    process.stdout.write(`\rround ${r + 1}/${rounds}`);
  }
  const bytes = JSON.stringify(pages[0]).length;
  console.log(`\n\nA page of ${perPage} posts (${bytes.toLocaleString('en-US')} bytes of JSON), µs per page, median of ${rounds} interleaved rounds of ${pageCount} pages.`);
  const base = median(samples.get(ways[0][0])!)!;
  const rows = ways.map(([label]) => {
    const us = median(samples.get(label)!)!;
    return [label, `${round(us, 1)} µs`, `${round(base / us, 2)}× as fast`];
  });
  console.log(grid([['way', 'per page', 'vs JSON.stringify'], ...rows]));
  if (sink === 0) console.log('(nothing written)');
}

main();
