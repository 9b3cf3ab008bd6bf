import { BadRequestException, PipeTransform } from '@nestjs/common';

/**
 * For routes that take no body: none, or an empty JSON object, is accepted; any field is
 * unknown and refused with a 400, as the ValidationPipe refuses unknown fields elsewhere.
 */
export class NoBodyPipe implements PipeTransform {
  transform(body: unknown): undefined {
    if (body === undefined || (isPlainObject(body) && Object.keys(body).length === 0)) return undefined;
    if (isPlainObject(body)) {
      throw new BadRequestException(Object.keys(body).map((key) => `property ${key} should not exist`));
    }
    throw new BadRequestException('this request takes no body');
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
