import { BadRequestException, PipeTransform } from '@nestjs/common';
import { registerDecorator, ValidationOptions } from 'class-validator';

const ID_PATTERN = /^[1-9][0-9]{0,18}$/;
const MAX_BIGINT = 9223372036854775807n;

/** An id as the OpenAPI document describes it. */
export const ID_SCHEMA = { type: 'string', pattern: ID_PATTERN.source, example: '7212345678901234' } as const;

/** Ids travel as decimal strings (64-bit integers do not survive JSON numbers). */
export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value) && BigInt(value) <= MAX_BIGINT;
}

export class ParseIdPipe implements PipeTransform<string, string> {
  constructor(private readonly name = 'id') {}

  transform(value: string): string {
    if (!isId(value)) {
      throw new BadRequestException(`${this.name} must be a positive decimal integer string`);
    }
    return value;
  }
}

/** A body field holding an id: a string that isId accepts. */
export function IsId(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isId',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be a positive decimal integer string`, ...options },
      validator: { validate: (value: unknown) => isId(value) },
    });
}
