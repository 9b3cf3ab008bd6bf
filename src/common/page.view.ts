import { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Page } from './page';

/** The OpenAPI description of a page of `item`s: `class PostPage extends PageOf(PostView) {}`. */
export function PageOf<T>(item: Type<T>): Type<Page<T>> {
  class PageOfItems implements Page<T> {
    @ApiProperty({ type: [item], description: 'newest first, unless the operation says otherwise' })
    items: T[];

    @ApiProperty({
      type: 'string',
      nullable: true,
      description: 'pass as `cursor` for the next, older page; null on the last page',
      example: 'YzE6NzIxMjM0NTY3ODkwMTIzNA',
    })
    nextCursor: string | null;
  }
  return PageOfItems;
}
