import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { isId } from '../common/ids';
import { AuthUser } from './current-user.decorator';

/** API.md: tokens are HS256 JWTs with an expiry. */
export const TOKEN_ALGORITHM = 'HS256';

/** A valid token: whose it is, and when it stops being valid (ms since the epoch). */
export interface VerifiedToken {
  user: AuthUser;
  expiresAt: number;
}

/** Issues and checks access tokens, for HTTP requests and socket handshakes alike. */
@Injectable()
export class TokenService {
  constructor(private readonly jwt: JwtService) {}

  issue(user: AuthUser): Promise<string> {
    return this.jwt.signAsync({ sub: user.id, username: user.username });
  }

  /** The token's user, or null for a missing, malformed, forged or expired token. */
  async verify(token: unknown): Promise<AuthUser | null> {
    return (await this.verifyWithExpiry(token))?.user ?? null;
  }

  /**
   * The token's user and expiry, or null. Only HS256 is accepted (the module pins it), and a
   * token without `exp` is refused: it would never expire.
   */
  async verifyWithExpiry(token: unknown): Promise<VerifiedToken | null> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) return null;
    try {
      const payload = await this.jwt.verifyAsync<{ sub?: unknown; username?: unknown; exp?: unknown }>(token);
      if (!isId(payload.sub) || typeof payload.username !== 'string') return null;
      if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) return null;
      return { user: { id: payload.sub, username: payload.username }, expiresAt: payload.exp * 1000 };
    } catch {
      return null;
    }
  }
}
