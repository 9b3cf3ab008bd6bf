import { applyDecorators } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { ID_SCHEMA } from '../common/ids';
import { USERNAME } from '../common/username';
import { ApiErrors } from './api-errors.decorator';

/** A `:username` path segment (UsernameParam): found in any letter case; a malformed one is a 400. */
export const ApiUsernameParam = () =>
  applyDecorators(
    ApiParam({ name: 'username', description: 'any letter case', schema: { type: 'string', pattern: USERNAME.source } }),
    ApiErrors(400),
  );

/** A post id path segment, as ParseIdPipe takes it. */
export const ApiIdParam = (name = 'id') => ApiParam({ name, schema: ID_SCHEMA });
