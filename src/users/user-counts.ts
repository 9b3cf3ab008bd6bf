/**
 * Follower and following counts as every reader must compute them: the users columns plus the
 * deltas the folder has not added yet (migration FollowCountDeltas, FollowCountsFolder). One
 * reading statement sees the folder's move (delete the deltas, add them to the columns) either
 * wholly or not at all, so the sum is exact whenever it is read.
 */

/** Pending deltas of the users row aliased `alias`, as a lateral join exposing `<alias>_pending`. */
export function pendingCountsJoin(alias: string): string {
  return `LEFT JOIN LATERAL (
    SELECT sum(d.followers)::int AS followers, sum(d.following)::int AS following
    FROM follow_count_deltas d WHERE d.user_id = ${alias}.id
  ) ${alias}_pending ON true`;
}

/** The exact followers count of the users row aliased `alias`, joined with pendingCountsJoin(alias). */
export function followersCount(alias: string): string {
  return `(${alias}.followers_count + coalesce(${alias}_pending.followers, 0))`;
}

/** The exact following count, joined with pendingCountsJoin(alias). */
export function followingCount(alias: string): string {
  return `(${alias}.following_count + coalesce(${alias}_pending.following, 0))`;
}
