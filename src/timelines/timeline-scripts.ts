/**
 * The Lua scripts that keep a timeline list in shape. A timeline is a Redis list of post ids,
 * newest first, in id order, without duplicates, at most TIMELINE_MAX_LENGTH long. Its last element
 * may be a sentinel:
 *
 * - `0`, END_OF_HISTORY: nothing older exists, so the list vouches for everything down to the
 *   start (and an empty timeline still exists: a list cannot be empty in Redis);
 * - `-1`, REBUILDING: a rebuild has started; pushes land above it, and the rebuild merges
 *   PostgreSQL's ids under them. Readers treat such a list as missing.
 *
 * A list exists only when it was rebuilt (or is being rebuilt); writers never create one: an
 * absent list is rebuilt from PostgreSQL by the read that finds it. Ids are below 2^53, so Lua's
 * numbers compare them exactly; ids go back out as the strings they came in as.
 * Why a list and not a sorted set: README, "Choosing the timeline structure".
 */

export const END_OF_HISTORY = '0';
export const REBUILDING = '-1';
/** A late post is first looked for among this many newest entries (see INSERT). */
const NEAR_HEAD = 32;

/**
 * insert(key, id, max): puts one id in its place and trims; 1 when it went in, 0 when the list is
 * absent, holds the id already, or the id is older than the list's oldest entry while older posts
 * may exist (it belongs below the window, where PostgreSQL answers: the seam rule). The fast path,
 * every fresh post, is LINDEX + LPUSH + LTRIM: nothing in the list is above its head, so no
 * duplicate check is needed. A late or retried post pays a binary search and an LINSERT: over the
 * newest NEAR_HEAD entries, where fan-outs running side by side put nearly all of them, else over
 * the whole list (copying out a full 800-entry list took 68 µs a call in \`npm run load\`).
 */
const INSERT = `
local function insert(key, id, max)
  local head = redis.call('LINDEX', key, 0)
  if not head then return 0 end
  local n = tonumber(id)
  if n > tonumber(head) then
    redis.call('LPUSH', key, id)
  else
    local ids = redis.call('LRANGE', key, 0, ${NEAR_HEAD - 1})
    if #ids == ${NEAR_HEAD} and tonumber(ids[#ids]) > n then ids = redis.call('LRANGE', key, 0, -1) end
    local lo, hi = 1, #ids + 1
    while lo < hi do
      local mid = math.floor((lo + hi) / 2)
      if tonumber(ids[mid]) > n then lo = mid + 1 else hi = mid end
    end
    if lo > #ids or ids[lo] == id then return 0 end
    redis.call('LINSERT', key, 'BEFORE', ids[lo], id)
  end
  redis.call('LTRIM', key, 0, max - 1)
  return 1
end
`;

/**
 * Deletes the list and writes `ids` in its place in chunks (Lua's unpack has a stack limit),
 * keeping the time to live it had unless given one.
 */
const REWRITE = `
local function rewrite(key, ids, ttl)
  local pttl = redis.call('PTTL', key)
  redis.call('DEL', key)
  for s = 1, #ids, 1000 do redis.call('RPUSH', key, unpack(ids, s, math.min(s + 999, #ids))) end
  if #ids == 0 then return end
  if ttl then redis.call('EXPIRE', key, ttl) elseif pttl > 0 then redis.call('PEXPIRE', key, pttl) end
end
`;

/**
 * KEYS: the timelines, as many as share a slot (all of a batch on one Redis: one command writes a
 * post into hundreds of timelines). ARGV: the cap, the time to live ('' to leave it), then the ids.
 * Answers how many entries went in; an absent list is left alone.
 */
export const PUSH = `${INSERT}
local max, ttl = tonumber(ARGV[1]), ARGV[2]
local added = 0
for _, key in ipairs(KEYS) do
  for i = 3, #ARGV do added = added + insert(key, ARGV[i], max) end
  if ttl ~= '' then redis.call('EXPIRE', key, ttl) end
end
return added`;

/**
 * Rule 2's dedup, as one step per timeline so that nothing can come between the look and the
 * write. KEYS: the home timeline, and its index of reposts (original id → the newest repost of it
 * added, as the score). ARGV: the repost's id, the original's id, the window, the cap, and how long
 * the index lives unwritten (as long as a timeline, TimelineService.ttlSeconds).
 * Answers 1 when the repost is in the timeline (added now, or by an earlier run of the same batch)
 * or the timeline is absent (its rebuild applies the rules), 0 when it was skipped: the original,
 * or a repost of it still in the timeline, is among the newest \`window\` entries. The entry
 * already there stays where it is.
 */
export const PUSH_REPOST = `${INSERT}
local home, index = KEYS[1], KEYS[2]
local id, original, window, max, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
if redis.call('EXISTS', home) == 0 then return 1 end
local other = redis.call('ZSCORE', index, original)
if other then other = string.format('%.0f', tonumber(other)) end
if other == id and redis.call('LPOS', home, id) then return 1 end
if window > 0 then
  if redis.call('LPOS', home, original, 'MAXLEN', window) then return 0 end
  if other and redis.call('LPOS', home, other, 'MAXLEN', window) then return 0 end
end
insert(home, id, max)
redis.call('ZADD', index, id, original)
redis.call('EXPIRE', index, ttl)
local oldest = redis.call('LINDEX', home, -1)
if tonumber(oldest) <= 0 then oldest = redis.call('LINDEX', home, -2) end
if oldest then redis.call('ZREMRANGEBYSCORE', index, '-inf', '(' .. oldest) end
return 1`;

/**
 * Merges ids into a timeline, newest first, without duplicates, capped. KEYS: the timeline.
 * ARGV: the mode, the cap, the id below which entries leave ('' for none), the time to live ('' to
 * keep the list's), then the ids.
 *
 * - \`merge\` (a follow's backfill, a settle): an absent list is left alone. Ids older than the
 *   oldest entry join only when the list reaches the end of history; with a cut, the older entries
 *   leave, the end of history with them. A list being rebuilt is dropped instead (see REMOVE).
 * - \`fill\` and \`fill-all\` (a rebuild: the newest ids of the truth, all of them with fill-all):
 *   merged with what was pushed since the rebuild began, ending with the end of history when
 *   everything fits; a list no longer being rebuilt (dropped by an edit of the graph, or
 *   completed by another rebuilder) is left alone, and 0 answered.
 */
export const MERGE = `${REWRITE}
local key, mode, max, cut, ttl = KEYS[1], ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local current = redis.call('LRANGE', key, 0, -1)
if mode == 'merge' and #current == 0 then return 0 end
local sentinel = nil
if #current > 0 and tonumber(current[#current]) <= 0 then sentinel = table.remove(current) end
if mode == 'merge' and sentinel == '${REBUILDING}' then
  redis.call('DEL', key)
  return 0
end
if mode ~= 'merge' and sentinel ~= '${REBUILDING}' then return 0 end
local floor = 0
if mode == 'merge' and sentinel == nil then floor = tonumber(current[#current]) end
local incoming = {}
for i = 5, #ARGV do
  if tonumber(ARGV[i]) > floor then incoming[#incoming + 1] = ARGV[i] end
end
table.sort(incoming, function(a, b) return tonumber(a) > tonumber(b) end)
local cutAt = tonumber(cut) or 0
local out, i, j = {}, 1, 1
while #out < max do
  local a, b = current[i], incoming[j]
  if a == nil and b == nil then break end
  local pick
  if b == nil or (a ~= nil and tonumber(a) > tonumber(b)) then pick, i = a, i + 1
  elseif a == nil or tonumber(b) > tonumber(a) then pick, j = b, j + 1
  else pick, i, j = a, i + 1, j + 1 end
  if tonumber(pick) < cutAt then break end
  out[#out + 1] = pick
end
local whole = current[i] == nil and incoming[j] == nil and cut == ''
if whole and #out < max and (mode == 'fill-all' or sentinel == '${END_OF_HISTORY}') then out[#out + 1] = '${END_OF_HISTORY}' end
rewrite(key, out, ttl ~= '' and ttl or nil)
return #out`;

/**
 * Starts a rebuild. KEYS: the timeline. ARGV: the time to live of the sentinel.
 * Answers 1 when the list is complete already (nothing to do), else 0, having made sure the list
 * exists with the REBUILDING sentinel so pushes from now on are kept.
 */
export const BEGIN_REBUILD = `
local tail = redis.call('LINDEX', KEYS[1], -1)
if tail and tail ~= '${REBUILDING}' then return 1 end
if not tail then
  redis.call('RPUSH', KEYS[1], '${REBUILDING}')
  redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return 0`;

/**
 * A page of a timeline. KEYS: the timeline. ARGV: the cursor (only ids below it, '' for none),
 * since (only ids above it, '' for none), the page size, and optionally the text before and after
 * a post's id in its cache key.
 * Answers false when the list is not complete, else where it vouches down to (its oldest id, or
 * END_OF_HISTORY when it holds everything) followed by the page, newest first, and, when the cache
 * keys are given, the cache entry of each id of the page in the same order (nil when absent), so
 * that a page whose posts are cached is read in one round trip. Those keys are not declared, which
 * one Redis allows and a cluster does not (their slots differ): only single-Redis callers pass them.
 * A cursor still in the list is found with LPOS; one that left (deleted, trimmed) by a binary
 * search over positions.
 */
export const RANGE = `
local key, before, since, limit = KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local tail = redis.call('LINDEX', key, -1)
if not tail or tail == '${REBUILDING}' then return false end
local oldest = tail
local start = 0
if before ~= '' then
  local pos = redis.call('LPOS', key, before)
  if pos then
    start = pos + 1
  else
    local b = tonumber(before)
    local lo, hi = 0, redis.call('LLEN', key)
    while lo < hi do
      local mid = math.floor((lo + hi) / 2)
      if tonumber(redis.call('LINDEX', key, mid)) >= b then lo = mid + 1 else hi = mid end
    end
    start = lo
  end
end
local out = { oldest }
for _, id in ipairs(redis.call('LRANGE', key, start, start + limit - 1)) do
  local n = tonumber(id)
  if n <= 0 or (since and n <= since) then break end
  out[#out + 1] = id
end
local n = #out
if ARGV[4] and n > 1 then
  local keys = {}
  for i = 2, n do keys[i - 1] = ARGV[4] .. out[i] .. ARGV[5] end
  local entries = redis.call('MGET', unpack(keys))
  for i = 1, #keys do out[n + i] = entries[i] end
end
return out`;

/**
 * Removes ids from one timeline in one walk (an unfollow). KEYS: the timeline. ARGV: the ids.
 * Answers those it held. A list being rebuilt is dropped whole: its rebuild read PostgreSQL before
 * this edit and would put the ids back, so the next read rebuilds it from a truth that has the edit.
 */
export const REMOVE = `${REWRITE}
local key = KEYS[1]
local gone = {}
for i = 1, #ARGV do gone[ARGV[i]] = true end
local entries = redis.call('LRANGE', key, 0, -1)
local keep, removed = {}, {}
for _, id in ipairs(entries) do
  if gone[id] then removed[#removed + 1] = id else keep[#keep + 1] = id end
end
if entries[#entries] == '${REBUILDING}' then redis.call('DEL', key)
elseif #removed > 0 then rewrite(key, keep, nil) end
return removed`;
