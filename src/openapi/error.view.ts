import { ApiProperty } from '@nestjs/swagger';

/** Every error answer, whatever its status (see HttpExceptionFilter). */
export class ErrorView {
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 400 })
  statusCode: number;

  @ApiProperty({ description: 'the status text', example: 'Bad Request' })
  error: string;

  @ApiProperty({
    description: 'what went wrong and what to do; an array of them when several fields are invalid',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }],
    example: 'text must be 1 to 280 characters',
  })
  message: string | string[];
}
