import { ApiProperty } from '@nestjs/swagger';
import { ID_SCHEMA, IsId } from '../../common/ids';

export class PutMarkerDto {
  @ApiProperty({ ...ID_SCHEMA, description: 'id of the newest post read; the post may be deleted later' })
  @IsId({ message: 'lastReadId must be a post id: a positive decimal integer string' })
  lastReadId: string;
}
