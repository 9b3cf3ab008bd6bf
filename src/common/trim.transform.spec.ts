import { trimText } from './trim.transform';

describe('trimText', () => {
  it('trims white space as String.prototype.trim does', () => {
    expect(trimText('  hello \n')).toBe('hello');
    expect(trimText(' \t\u00a0\u3000 ')).toBe('');
  });

  it('empties text made only of invisible characters', () => {
    for (const blank of ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u200e\u200f', '\u2800', '\u3164', '\ufe0f', ' \u200b \u2060 ', '\u{e0041}']) {
      expect([blank, trimText(blank)]).toEqual([blank, '']);
    }
  });

  it('keeps invisible characters inside visible text (emoji sequences use them)', () => {
    expect(trimText('👩\u200d💻')).toBe('👩\u200d💻');
    expect(trimText(' a\u200bb ')).toBe('a\u200bb');
  });
});
