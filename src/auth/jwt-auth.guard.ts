import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { STALE_TOKEN_MESSAGE } from '../common/stale-account';
import { IS_PUBLIC } from './current-user.decorator';
import { TokenService } from './token.service';

/** Every route needs a bearer token unless it is marked @Public(). */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest();
    const header: unknown = request.headers?.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new UnauthorizedException('missing bearer token: send Authorization: Bearer <accessToken>');
    const user = await this.tokens.verify(match[1]);
    if (!user) throw new UnauthorizedException(STALE_TOKEN_MESSAGE);
    request.user = user;
    return true;
  }
}
