import { ApiProperty } from '@nestjs/swagger';
import { IsId } from '../../common/ids';

export class PutMarkerDto {
  @ApiProperty({ example: '7212345678901234', description: 'id of the newest post read; the post may be deleted later' })
  @IsId({ message: 'lastReadId must be a post id: a positive decimal integer string' })
  lastReadId: string;
}
