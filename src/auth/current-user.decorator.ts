import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';

/** Who is calling, as the JWT says. */
export interface AuthUser {
  id: string;
  username: string;
}

export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): AuthUser => ctx.switchToHttp().getRequest().user,
);

export const IS_PUBLIC = 'isPublic';
/** Marks a route that needs no token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
