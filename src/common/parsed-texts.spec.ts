import { ParsedTexts } from './parsed-texts';

describe('ParsedTexts', () => {
  const counting = (budget: number) => {
    const parse = jest.fn((text: string) => ({ text }));
    return { memo: new ParsedTexts(budget, parse), parse };
  };

  it('parses a key’s text once while it stays the same, and again when it changes', () => {
    const { memo, parse } = counting(100);
    const first = memo.get('a', 'one');
    expect(memo.get('a', 'one')).toBe(first);
    expect(parse).toHaveBeenCalledTimes(1);
    expect(memo.get('a', 'two')).toEqual({ text: 'two' });
    expect(memo.get('a', 'two')).not.toBe(first);
    expect(parse).toHaveBeenCalledTimes(2);
  });

  it('keeps no more text than its budget, evicting the oldest first', () => {
    const { memo, parse } = counting(10);
    memo.get('a', 'aaaa');
    memo.get('b', 'bbbb');
    memo.get('c', 'cccc'); // 12 characters: 'a' goes
    expect(memo.size).toBe(2);
    memo.get('b', 'bbbb');
    memo.get('c', 'cccc');
    expect(parse).toHaveBeenCalledTimes(3);
    memo.get('a', 'aaaa');
    expect(parse).toHaveBeenCalledTimes(4);
  });

  it('counts a replaced text once, not twice', () => {
    const { memo } = counting(10);
    memo.get('a', 'aaaa');
    memo.get('a', 'AAAA');
    memo.get('b', 'bbbb');
    expect(memo.size).toBe(2);
  });

  it('parses but keeps nothing of a text larger than its whole budget', () => {
    const { memo } = counting(3);
    expect(memo.get('a', 'aaaa')).toEqual({ text: 'aaaa' });
    expect(memo.size).toBe(0);
  });
});
