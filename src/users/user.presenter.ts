import { ApiProperty } from '@nestjs/swagger';
import { ID_SCHEMA } from '../common/ids';
import { PageOf } from '../common/page.view';

/** A users row as the repository returns it. */
export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  created_at: Date;
  followers_count: number;
  following_count: number;
  posts_count: number;
}

export class AuthorView {
  @ApiProperty(ID_SCHEMA) id: string;
  @ApiProperty({ pattern: '^[A-Za-z0-9_]{3,30}$', example: 'ada_l' }) username: string;
  @ApiProperty({ maxLength: 50, example: 'Ada Lovelace' }) displayName: string;
}

export class UserView extends AuthorView {
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) followersCount: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) followingCount: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) postsCount: number;
}

export class UserPage extends PageOf(UserView) {}

export function toUserView(row: UserRow): UserView {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    createdAt: row.created_at.toISOString(),
    followersCount: row.followers_count,
    followingCount: row.following_count,
    postsCount: row.posts_count,
  };
}
