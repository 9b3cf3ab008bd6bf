import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { isDependencyDown } from './dependency-errors';

export interface ErrorReply {
  status(code: number): ErrorReply;
  send(body: unknown): unknown;
}

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
}

/**
 * Every error leaves in the contract's shape. Our own HttpExceptions keep their message; Fastify's
 * client errors (bad JSON, body too large) keep their status; a lost PostgreSQL or Redis is a 503;
 * anything else is a 500 whose details stay in the log.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    this.send(exception, host.switchToHttp().getResponse());
  }

  /** Also answers the errors Fastify's router raises before Nest sees the request (bad URL, over-long parameter). */
  send(exception: unknown, reply: ErrorReply): void {
    const body = this.toBody(exception);
    reply.status(body.statusCode).send(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : ((response as { message?: string | string[] }).message ?? exception.message);
      return { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message };
    }
    const fastifyStatus = (exception as { statusCode?: number }).statusCode;
    if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
      return {
        statusCode: fastifyStatus,
        error: STATUS_CODES[fastifyStatus] ?? 'Error',
        message: clientErrorMessage(exception as Error & { code?: string }, fastifyStatus),
      };
    }
    const dependency = isDependencyDown(exception);
    if (dependency) {
      this.logger.warn({ msg: `${dependency} is unavailable`, error: String(exception) });
      return {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        error: STATUS_CODES[503]!,
        message: `${dependency} is unavailable; retry shortly`,
      };
    }
    this.logger.error({ msg: 'unhandled error', error: String(exception), stack: (exception as Error)?.stack });
    return { statusCode: 500, error: STATUS_CODES[500]!, message: 'Internal server error' };
  }
}

function clientErrorMessage(error: Error & { code?: string }, status: number): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'request body is too large';
    case 'FST_ERR_BAD_URL':
      return 'the URL is not valid: check its percent-encoding';
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return 'a path segment of the URL is too long';
    default:
      if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
        return 'request body is not valid JSON';
      }
      return status === 413 ? 'request body is too large' : 'bad request';
  }
}
