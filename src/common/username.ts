import { BadRequestException, Param, PipeTransform } from '@nestjs/common';

/** What a username can be (API.md): 3 to 30 ASCII letters, digits or underscores. */
export const USERNAME = /^[A-Za-z0-9_]{3,30}$/;
export const USERNAME_RULE = 'username must be 3 to 30 letters, digits or underscores';

export function isUsername(value: unknown): value is string {
  return typeof value === 'string' && USERNAME.test(value);
}

/**
 * A `:username` path segment no user can have is a 400 naming the rule, never a lookup: so the
 * segment is never echoed (it may hold NUL, markup or anything percent-encoding allows).
 */
export class ParseUsernamePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isUsername(value)) throw new BadRequestException(USERNAME_RULE);
    return value;
  }
}

/** The `:username` path parameter, checked. */
export const UsernameParam = () => Param('username', ParseUsernamePipe);
