import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { ID_SCHEMA } from '../../common/ids';
import { PageQueryDto } from '../../common/page-query.dto';

export class HomeQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ ...ID_SCHEMA, description: 'only posts newer than this post id' })
  @IsOptional()
  @IsString()
  since?: string;
}
