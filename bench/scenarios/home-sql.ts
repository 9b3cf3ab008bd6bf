/**
 * Fan-out on read, in SQL: a home page computed from scratch by one PostgreSQL query, the baseline
 * our reads are compared with. The newest posts of everyone the reader follows (and their own)
 * below `$2`, with their authors, one index range per followee: the query shape the service
 * used to rebuild a timeline.
 */
export const HOME_BY_SQL = `
  SELECT p.id, p.text, p.created_at, u.id AS author_id, u.username, u.display_name
  FROM (SELECT followee_id AS author_id FROM follows WHERE follower_id = $1 UNION ALL SELECT $1::bigint) a
  CROSS JOIN LATERAL (
    SELECT id, text, created_at, author_id FROM posts
    WHERE author_id = a.author_id AND deleted_at IS NULL AND id < $2 ORDER BY id DESC LIMIT $3
  ) p
  JOIN users u ON u.id = p.author_id
  ORDER BY p.id DESC LIMIT $3`;

/**
 * The same page, ids first: one index-only range of post ids per followee, the page's ids picked
 * by a top-N sort, and only then its rows and authors read. HOME_BY_SQL reads up to `$3` heap rows
 * per followee before sorting, which costs 10 to 20 times more for a reader who follows hundreds
 * of accounts (the deep-page plans of every run show both); the service reads ids first. This is
 * the stronger baseline, reported beside the other.
 */
export const HOME_BY_SQL_IDS_FIRST = `
  SELECT p.id, p.text, p.created_at, u.id AS author_id, u.username, u.display_name
  FROM (
    SELECT x.id FROM (SELECT followee_id AS author_id FROM follows WHERE follower_id = $1 UNION ALL SELECT $1::bigint) a
    CROSS JOIN LATERAL (
      SELECT id FROM posts WHERE author_id = a.author_id AND deleted_at IS NULL AND id < $2 ORDER BY id DESC LIMIT $3
    ) x
    ORDER BY x.id DESC LIMIT $3
  ) page
  JOIN posts p ON p.id = page.id
  JOIN users u ON u.id = p.author_id
  ORDER BY p.id DESC`;

/** Above every post id: the first page. */
export const NO_CURSOR = '9223372036854775807';
