import { ApiParam } from '@nestjs/swagger';
import { ID_SCHEMA } from '../common/ids';

/** A `:username` path segment: found in any letter case. */
export const ApiUsernameParam = () => ApiParam({ name: 'username', description: 'any letter case' });

/** A post id path segment, as ParseIdPipe takes it. */
export const ApiIdParam = (name = 'id') => ApiParam({ name, schema: ID_SCHEMA });
