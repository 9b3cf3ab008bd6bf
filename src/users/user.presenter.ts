import { ApiProperty } from '@nestjs/swagger';

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
  @ApiProperty({ example: '42' }) id: string;
  @ApiProperty() username: string;
  @ApiProperty() displayName: string;
}

export class UserView extends AuthorView {
  @ApiProperty() createdAt: string;
  @ApiProperty() followersCount: number;
  @ApiProperty() followingCount: number;
  @ApiProperty() postsCount: number;
}

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
