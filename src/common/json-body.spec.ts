import { isWellFormedJson, jsonDepth } from './json-body';

describe('jsonDepth', () => {
  it('counts nested arrays and objects', () => {
    expect(jsonDepth('1')).toBe(0);
    expect(jsonDepth('{}')).toBe(1);
    expect(jsonDepth('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(jsonDepth('[[],[],[]]')).toBe(2);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepth('{"text":"[[[{{{"}')).toBe(1);
    expect(jsonDepth('{"text":"say \\"[[[\\" twice","x":["\\\\"]}')).toBe(2);
  });
});

describe('isWellFormedJson', () => {
  it('refuses a lone surrogate in any string, keys included', () => {
    for (const value of ['\ud800', 'a\udc00b', ['ok', '\udfff'], { text: '\ud83d' }, { '\ud800': 1 }, { a: [{ b: 'x\ud800' }] }]) {
      expect(isWellFormedJson(value)).toBe(false);
    }
  });

  it('accepts surrogate pairs and values without strings', () => {
    for (const value of ['😀', '\ud83d\ude00', { text: 'a😀b', n: 1, ok: true, none: null }, [1, [2, ['𝄞']]], 42, null]) {
      expect(isWellFormedJson(value)).toBe(true);
    }
  });
});
