import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

/** Who is calling, as the JWT says. */
export interface AuthUser {
  id: string;
  username: string;
}

export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): AuthUser => ctx.switchToHttp().getRequest().user,
);

export const IS_PUBLIC = 'isPublic';
/** Marks an operation of the OpenAPI document as public; it becomes `security: []` there. */
export const PUBLIC_OPERATION = 'x-public';
/** Marks a route that needs no token, for the guard and the OpenAPI document alike. */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension(PUBLIC_OPERATION, true));
