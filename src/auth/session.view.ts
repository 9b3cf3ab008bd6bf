import { ApiProperty } from '@nestjs/swagger';
import { UserView } from '../users/user.presenter';

/** What register and login answer. */
export class Session {
  @ApiProperty({ type: UserView }) user: UserView;
  @ApiProperty({ description: 'a JWT: send it as Authorization: Bearer <accessToken>' }) accessToken: string;
}
