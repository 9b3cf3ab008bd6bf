import { validateSync } from 'class-validator';
import { CodePointLength, MaxCodePoints, codePointLength } from './code-points.validator';

class Note {
  @CodePointLength(1, 5)
  text: unknown;
}

class Bio {
  @MaxCodePoints(3, { message: 'bio is too long' })
  bio: unknown;
}

function errorsOf(object: object): string[] {
  return validateSync(object).flatMap((e) => Object.values(e.constraints ?? {}));
}

function note(text: unknown): Note {
  return Object.assign(new Note(), { text });
}

describe('codePointLength', () => {
  it.each([
    ['empty', '', 0],
    ['ASCII', 'hello', 5],
    ['an emoji (one astral code point, two UTF-16 units)', '😀', 1],
    ['three emoji', '😀🎉🚀', 3],
    ['a flag (two regional indicators)', '🇫🇷', 2],
    ['a ZWJ family (three people, two joiners)', '👨‍👩‍👧', 5],
    ['a precomposed é', '\u00e9', 1],
    ['e with a combining acute accent', 'e\u0301', 2],
    ['a letter with two combining marks', 'a\u0301\u0323', 3],
    ['CJK', '漢字', 2],
  ])('counts %s', (_, text, expected) => {
    expect(codePointLength(text)).toBe(expected);
  });

  it('differs from the UTF-16 length for astral characters', () => {
    expect('😀'.length).toBe(2);
    expect(codePointLength('😀')).toBe(1);
  });
});

describe('CodePointLength', () => {
  it('accepts text within the bounds', () => {
    expect(errorsOf(note('a'))).toEqual([]);
    expect(errorsOf(note('abcde'))).toEqual([]);
  });

  it('counts an emoji once, so five emoji fit in five characters', () => {
    expect('😀😀😀😀😀'.length).toBe(10);
    expect(errorsOf(note('😀😀😀😀😀'))).toEqual([]);
  });

  it('counts combining marks as code points of their own', () => {
    // Five code points: e + U+0301, twice, then x.
    expect(errorsOf(note('e\u0301e\u0301x'))).toEqual([]);
    // Six code points although only three user-perceived characters.
    expect(errorsOf(note('e\u0301e\u0301e\u0301'))).toEqual(['text must be 1 to 5 characters']);
  });

  it('rejects text below the minimum or above the maximum', () => {
    expect(errorsOf(note(''))).toEqual(['text must be 1 to 5 characters']);
    expect(errorsOf(note('abcdef'))).toEqual(['text must be 1 to 5 characters']);
    expect(errorsOf(note('😀😀😀😀😀😀'))).toEqual(['text must be 1 to 5 characters']);
  });

  it.each([[42], [null], [undefined], [['abc']], [{ length: 3 }]])('rejects the non-string %p', (value) => {
    expect(errorsOf(note(value))).toEqual(['text must be 1 to 5 characters']);
  });
});

describe('MaxCodePoints', () => {
  it('accepts empty text and text up to the maximum, with a custom message otherwise', () => {
    expect(errorsOf(Object.assign(new Bio(), { bio: '' }))).toEqual([]);
    expect(errorsOf(Object.assign(new Bio(), { bio: '🎉🎉🎉' }))).toEqual([]);
    expect(errorsOf(Object.assign(new Bio(), { bio: '🎉🎉🎉🎉' }))).toEqual(['bio is too long']);
  });
});
