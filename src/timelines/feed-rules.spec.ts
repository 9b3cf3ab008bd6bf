import { Relations, toUserRelations, UserRelations } from '../graph/relations';
import { blockedAuthor, FeedPost, filterFromHome, hiddenRepost, mutedAuthor, postsFor, readersOf, subjectsOf } from './feed-rules';

const rel = (r: Partial<Record<keyof UserRelations, string[]>>) => toUserRelations(r);
const post = (authorId: string): FeedPost => ({ author: { id: authorId } });
const repost = (reposterId: string, originalAuthorId: string): FeedPost => ({ author: { id: reposterId }, repostOf: { author: { id: originalAuthorId } } });

// Reader 1, authors 7 and 8. The same facts seen from the reader's side and from the authors' side.
const fromReader = Relations.of([['1', rel({ blocks: ['7'], mutes: ['8'], hidesRepostsOf: ['9'] })]]);
const fromAuthors = Relations.of([
  ['7', rel({ blocks: ['1'] })],
  ['8', rel({ mutedBy: ['1'] })],
  ['9', rel({ repostsHiddenBy: ['1'] })],
  ['5', rel({})],
]);

describe('feed rules', () => {
  describe.each([
    ['loaded for the reader (a home read)', fromReader],
    ['loaded for the authors (a fan-out batch)', fromAuthors],
  ])('with relations %s', (_, relations) => {
    it('rule 4: keeps out a post by an account blocked either way, and a repost of one', () => {
      expect(blockedAuthor(post('7'), '1', relations)).toBe(true);
      expect(blockedAuthor(repost('5', '7'), '1', relations)).toBe(true);
      expect(blockedAuthor(post('5'), '1', relations)).toBe(false);
    });

    it('rule 5: keeps out a post by a muted account, and a repost of one', () => {
      expect(mutedAuthor(post('8'), '1', relations)).toBe(true);
      expect(mutedAuthor(repost('5', '8'), '1', relations)).toBe(true);
      expect(mutedAuthor(post('5'), '1', relations)).toBe(false);
    });

    it('rule 2: keeps out a repost by an account followed with reposts: false, but not its own posts', () => {
      expect(hiddenRepost(repost('9', '5'), '1', relations)).toBe(true);
      expect(hiddenRepost(post('9'), '1', relations)).toBe(false);
      expect(hiddenRepost(repost('5', '9'), '1', relations)).toBe(false);
    });

    it('filterFromHome says yes when any rule does, and no to an unrelated post', () => {
      expect(filterFromHome(post('7'), '1', relations)).toBe(true);
      expect(filterFromHome(post('8'), '1', relations)).toBe(true);
      expect(filterFromHome(repost('9', '5'), '1', relations)).toBe(true);
      expect(filterFromHome(post('5'), '1', relations)).toBe(false);
      expect(filterFromHome(repost('5', '5'), '1', relations)).toBe(false);
    });
  });

  it('never keeps a reader from their own posts', () => {
    const relations = Relations.of([['1', rel({})]]);
    expect(filterFromHome(post('1'), '1', relations)).toBe(false);
    expect(filterFromHome(repost('1', '5'), '1', relations)).toBe(false);
  });

  it('readersOf filters a batch of readers for one post, keeping their order', () => {
    const relations = Relations.of([['7', rel({ blocks: ['2'], mutedBy: ['4'] })]]);
    expect(readersOf(post('7'), ['1', '2', '3', '4', '5'], relations)).toEqual(['1', '3', '5']);
  });

  it('postsFor filters a page of posts for one reader, keeping their order', () => {
    const page = [post('5'), post('7'), repost('9', '5'), post('8'), repost('5', '6')];
    expect(postsFor('1', page, fromReader)).toEqual([page[0], page[4]]);
  });

  it('subjectsOf names the author, and the original author of a repost', () => {
    expect(subjectsOf(post('7'))).toEqual(['7']);
    expect(subjectsOf(repost('7', '8'))).toEqual(['7', '8']);
  });

  it('refuses to answer when neither side of a question was loaded, rather than letting the post through', () => {
    const relations = Relations.of([['7', rel({})]]);
    expect(() => filterFromHome(post('8'), '1', relations)).toThrow(/neither/);
  });
});

describe('Relations', () => {
  it('relatedTo lists everyone a relation of the accounts names, once', () => {
    const relations = Relations.of([
      ['7', rel({ blocks: ['1'], mutedBy: ['2', '1'], repostsHiddenBy: ['3'] })],
      ['8', rel({ mutes: ['4'] })],
    ]);
    expect(relations.relatedTo(['7', '8']).sort()).toEqual(['1', '2', '3', '4']);
    expect(() => relations.relatedTo(['9'])).toThrow(/not loaded/);
  });

  it('mutes is one-way: the muted account still sees the muter', () => {
    const relations = Relations.of([['1', rel({ mutes: ['8'] })], ['8', rel({ mutedBy: ['1'] })]]);
    expect(relations.mutes('1', '8')).toBe(true);
    expect(relations.mutes('8', '1')).toBe(false);
  });
});
