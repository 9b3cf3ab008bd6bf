import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorView } from './error.view';

/** What each error status means in this API, as the contract lists them. */
const MEANING = {
  400: 'Invalid input: a wrong type, a missing or unknown field, a value out of range, a malformed id or cursor.',
  401: 'Missing, invalid or expired token (or, for login, a wrong username or password): sign in again.',
  403: 'Not allowed: the resource belongs to someone else, or a block stands between the two accounts.',
  404: 'No such user or post (a deleted post is not found either).',
  409: 'Conflict with what exists: a username already taken, an Idempotency-Key whose post was deleted.',
  413: 'The request body is larger than the service accepts.',
  415: 'The request body is not JSON: send Content-Type: application/json.',
  429: 'Rate limited: wait the number of seconds in Retry-After, then retry.',
  503: 'A dependency (PostgreSQL or Redis) is unavailable: retry shortly.',
} as const;

export type ErrorStatus = keyof typeof MEANING;

const RETRY_AFTER = {
  'Retry-After': {
    description: 'Whole seconds to wait before retrying.',
    required: true,
    schema: { type: 'integer', minimum: 0 },
  },
};

/** Documents error answers, each with the error shape; on a controller, for all its routes. */
export function ApiErrors(...statuses: ErrorStatus[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: MEANING[status], type: ErrorView, headers: status === 429 ? RETRY_AFTER : undefined }),
    ),
  );
}

/** What any route that reads a JSON body can answer before the handler runs. */
export const ApiBodyErrors = () => ApiErrors(400, 413, 415);
