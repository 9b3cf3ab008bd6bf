import { jsonDepth } from './json-body';

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
