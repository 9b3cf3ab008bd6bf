import { ApiProperty } from '@nestjs/swagger';
import { ID_SCHEMA } from '../common/ids';
import { PageOf } from '../common/page.view';
import { AuthorView } from '../users/user.presenter';

/** The columns of one post and its author, as they appear for a post and for the original of a repost. */
interface PostColumns {
  id: string;
  text: string;
  created_at: Date;
  author_id: string;
  author_username: string;
  author_display_name: string;
  reply_to_id: string | null;
  reply_to_author_id: string | null;
  reply_to_username: string | null;
  reply_to_display_name: string | null;
}

/**
 * A posts row joined with its author, the author of the post it replies to, and the original it
 * reposts (prefixed `orig_`, null unless it is a repost), as repositories return it.
 */
export interface PostRow extends PostColumns {
  repost_of_id: string | null;
  orig_text?: string | null;
  orig_created_at?: Date | null;
  orig_author_id?: string | null;
  orig_author_username?: string | null;
  orig_author_display_name?: string | null;
  orig_reply_to_id?: string | null;
  orig_reply_to_author_id?: string | null;
  orig_reply_to_username?: string | null;
  orig_reply_to_display_name?: string | null;
}

export class ReplyToView {
  @ApiProperty({ ...ID_SCHEMA, description: 'the post replied to; it may have been deleted since' }) id: string;
  @ApiProperty({ type: AuthorView }) author: AuthorView;
}

export class PostView {
  @ApiProperty(ID_SCHEMA) id: string;
  @ApiProperty({ maxLength: 280, description: 'trimmed; at most 280 Unicode code points; `""` for a repost' }) text: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: AuthorView, description: 'who wrote it; for a repost, who reposted' }) author: AuthorView;
  @ApiProperty({ type: ReplyToView, nullable: true, description: 'the post this one answers; null unless a reply' })
  replyTo: ReplyToView | null;
  @ApiProperty({
    type: () => PostView,
    nullable: true,
    description: 'for a repost, the original post (whose own repostOf is null); null otherwise',
  })
  repostOf: PostView | null;
}

export class PostPage extends PageOf(PostView) {}

export function toPostView(row: PostRow): PostView {
  const view = present(row);
  if (row.repost_of_id !== null && row.orig_created_at) {
    view.repostOf = present({
      id: row.repost_of_id,
      text: row.orig_text!,
      created_at: row.orig_created_at,
      author_id: row.orig_author_id!,
      author_username: row.orig_author_username!,
      author_display_name: row.orig_author_display_name!,
      reply_to_id: row.orig_reply_to_id ?? null,
      reply_to_author_id: row.orig_reply_to_author_id ?? null,
      reply_to_username: row.orig_reply_to_username ?? null,
      reply_to_display_name: row.orig_reply_to_display_name ?? null,
    });
  }
  return view;
}

function present(row: PostColumns): PostView {
  return {
    id: row.id,
    text: row.text,
    createdAt: row.created_at.toISOString(),
    author: { id: row.author_id, username: row.author_username, displayName: row.author_display_name },
    replyTo:
      row.reply_to_id === null || row.reply_to_author_id === null
        ? null
        : {
            id: row.reply_to_id,
            author: { id: row.reply_to_author_id, username: row.reply_to_username!, displayName: row.reply_to_display_name! },
          },
    repostOf: null,
  };
}

/** The post a repost shows, or the post itself. */
export function shownPost(post: PostView): PostView {
  return post.repostOf ?? post;
}
