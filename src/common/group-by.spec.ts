import { groupBy } from './group-by';

describe('groupBy', () => {
  it('groups items by key, keeping the order of groups and of items within each', () => {
    const groups = groupBy(['b1', 'a1', 'b2', 'c1', 'a2'], (s) => s[0]);
    expect([...groups]).toEqual([
      ['b', ['b1', 'b2']],
      ['a', ['a1', 'a2']],
      ['c', ['c1']],
    ]);
  });

  it('gives no groups for no items', () => {
    expect(groupBy([], () => 0).size).toBe(0);
  });
});
