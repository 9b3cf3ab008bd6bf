import { Injectable } from '@nestjs/common';
import { Database, Tx } from '../database/database';
import { followersCount, followingCount, pendingCountsJoin } from './user-counts';
import { UserRow } from './user.presenter';

/** The columns of a new row, whose counts have no deltas yet. */
const NEW_USER_COLUMNS = 'u.id, u.username, u.display_name, u.created_at, u.followers_count, u.following_count, u.posts_count';
/** The columns of a stored user, with the exact counts; the query joins PENDING. */
export const USER_COLUMNS = `u.id, u.username, u.display_name, u.created_at,
  ${followersCount('u')} AS followers_count, ${followingCount('u')} AS following_count, u.posts_count`;
export const PENDING = pendingCountsJoin('u');

@Injectable()
export class UsersRepository {
  constructor(private readonly db: Database) {}

  /** Returns the new user, or undefined when the username is taken (in any letter case). */
  async create(username: string, displayName: string, passwordHash: string): Promise<UserRow | undefined> {
    return this.db.one<UserRow>(
      `INSERT INTO users AS u (username, display_name, password_hash) VALUES ($1, $2, $3)
       ON CONFLICT ((lower(username))) DO NOTHING
       RETURNING ${NEW_USER_COLUMNS}`,
      [username, displayName, passwordHash],
    );
  }

  findByUsername(username: string): Promise<UserRow | undefined> {
    return this.db.one<UserRow>(`SELECT ${USER_COLUMNS} FROM users u ${PENDING} WHERE lower(u.username) = lower($1)`, [username]);
  }

  findById(id: string): Promise<UserRow | undefined> {
    return this.db.one<UserRow>(`SELECT ${USER_COLUMNS} FROM users u ${PENDING} WHERE u.id = $1`, [id]);
  }

  async findCredentials(username: string): Promise<(UserRow & { password_hash: string }) | undefined> {
    return this.db.one(`SELECT ${USER_COLUMNS}, u.password_hash FROM users u ${PENDING} WHERE lower(u.username) = lower($1)`, [
      username,
    ]);
  }

  async addToPostsCount(userId: string, delta: number, tx?: Tx): Promise<void> {
    await this.db.execute('UPDATE users SET posts_count = posts_count + $2 WHERE id = $1', [userId, delta], tx);
  }
}
