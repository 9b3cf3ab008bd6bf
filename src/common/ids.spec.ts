import { BadRequestException } from '@nestjs/common';
import { validateSync } from 'class-validator';
import { IsId, ParseIdPipe, isId } from './ids';

describe('isId', () => {
  it.each(['1', '9', '10', '7212345678901234', '9007199254740993', '9223372036854775807'])('accepts %s', (id) => {
    expect(isId(id)).toBe(true);
  });

  it.each([
    ['zero', '0'],
    ['a leading zero', '0123'],
    ['a negative number', '-1'],
    ['a sign', '+1'],
    ['a decimal', '1.5'],
    ['an exponent', '1e5'],
    ['whitespace', ' 12'],
    ['a trailing newline', '12\n'],
    ['2^63', '9223372036854775808'],
    ['20 digits', '10000000000000000000'],
    ['empty', ''],
    ['letters', 'abc'],
  ])('rejects %s', (_, id) => {
    expect(isId(id)).toBe(false);
  });

  it.each([[12], [12n], [null], [undefined], [{}], [['1']]])('rejects the non-string %p', (value) => {
    expect(isId(value)).toBe(false);
  });
});

describe('ParseIdPipe', () => {
  it('returns a valid id unchanged', () => {
    expect(new ParseIdPipe().transform('7212345678901234')).toBe('7212345678901234');
  });

  it('answers 400 naming the parameter for an invalid id', () => {
    const pipe = new ParseIdPipe('postId');
    expect(() => pipe.transform('abc')).toThrow(BadRequestException);
    expect(() => pipe.transform('0')).toThrow(/^postId must be/);
  });

  it('names "id" by default', () => {
    expect(() => new ParseIdPipe().transform('x')).toThrow(/^id must be/);
  });
});

describe('IsId', () => {
  class Body {
    @IsId({ message: 'bad id' })
    id: unknown;
  }
  const errors = (id: unknown) => validateSync(Object.assign(new Body(), { id })).flatMap((e) => Object.values(e.constraints ?? {}));

  it('accepts what isId accepts and refuses the rest with the message', () => {
    expect(errors('7212345678901234')).toEqual([]);
    for (const bad of ['0', 'abc', 12, null, undefined, '9223372036854775808', ['1']]) expect(errors(bad)).toEqual(['bad id']);
  });
});
