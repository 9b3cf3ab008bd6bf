import { ApiProperty } from '@nestjs/swagger';
import { ID_SCHEMA } from '../common/ids';
import { PageOf } from '../common/page.view';
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
  @ApiProperty(ID_SCHEMA) id: string;
  @ApiProperty({ maxLength: 280, description: 'trimmed; at most 280 Unicode code points' }) text: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: AuthorView }) author: AuthorView;
}

export class PostPage extends PageOf(PostView) {}

export function toPostView(row: PostRow): PostView {
  return {
    id: row.id,
    text: row.text,
    createdAt: row.created_at.toISOString(),
    author: { id: row.author_id, username: row.author_username, displayName: row.author_display_name },
  };
}
