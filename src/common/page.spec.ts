import { decodeCursor } from './cursor';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, toPage } from './page';

interface Row {
  id: string;
  name: string;
}

const rows = (...ids: string[]): Row[] => ids.map((id) => ({ id, name: `n${id}` }));
const keyOf = (r: Row) => r.id;
const present = (r: Row) => ({ name: r.name });

describe('toPage', () => {
  it('matches the contract limits', () => {
    expect(DEFAULT_PAGE_SIZE).toBe(20);
    expect(MAX_PAGE_SIZE).toBe(100);
  });

  it('returns every row and no cursor when there are no more than the limit', () => {
    expect(toPage(rows('30', '20', '10'), 3, keyOf, present)).toEqual({
      items: [{ name: 'n30' }, { name: 'n20' }, { name: 'n10' }],
      nextCursor: null,
    });
  });

  it('returns an empty page for no rows', () => {
    expect(toPage([], 20, keyOf, present)).toEqual({ items: [], nextCursor: null });
  });

  it('drops the extra row and points the cursor at the last row shown', () => {
    const page = toPage(rows('40', '30', '20', '10'), 3, keyOf, present);
    expect(page.items).toEqual([{ name: 'n40' }, { name: 'n30' }, { name: 'n20' }]);
    expect(page.nextCursor).not.toBeNull();
    expect(decodeCursor(page.nextCursor!)).toBe('20');
  });

  it('presents only the rows of the page', () => {
    const presentFn = jest.fn(present);
    toPage(rows('3', '2', '1'), 2, keyOf, presentFn);
    expect(presentFn).toHaveBeenCalledTimes(2);
    expect(presentFn.mock.calls.map(([r]) => r.id)).toEqual(['3', '2']);
  });

  it('pages with a limit of one', () => {
    const page = toPage(rows('9', '8'), 1, keyOf, present);
    expect(page.items).toEqual([{ name: 'n9' }]);
    expect(decodeCursor(page.nextCursor!)).toBe('9');
  });
});
