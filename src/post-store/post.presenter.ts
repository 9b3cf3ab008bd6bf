import { ApiProperty } from '@nestjs/swagger';
import { AuthorView } from '../users/user.presenter';

/** A posts row joined with its author, as repositories return it. */
export interface PostRow {
  id: string;
  text: string;
  created_at: Date;
  author_id: string;
  author_username: string;
  author_display_name: string;
}

export class PostView {
  @ApiProperty({ example: '7212345678901234' }) id: string;
  @ApiProperty() text: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: AuthorView }) author: AuthorView;
}

export function toPostView(row: PostRow): PostView {
  return {
    id: row.id,
    text: row.text,
    createdAt: row.created_at.toISOString(),
    author: { id: row.author_id, username: row.author_username, displayName: row.author_display_name },
  };
}
