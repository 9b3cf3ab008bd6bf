import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { isId } from '../common/ids';
import { AuthUser } from './current-user.decorator';

/** Issues and checks access tokens, for HTTP requests and socket handshakes alike. */
@Injectable()
export class TokenService {
  constructor(private readonly jwt: JwtService) {}

  issue(user: AuthUser): Promise<string> {
    return this.jwt.signAsync({ sub: user.id, username: user.username });
  }

  /** The token's user, or null for a missing, malformed, forged or expired token. */
  async verify(token: unknown): Promise<AuthUser | null> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) return null;
    try {
      const payload = await this.jwt.verifyAsync<{ sub?: unknown; username?: unknown }>(token);
      if (!isId(payload.sub) || typeof payload.username !== 'string') return null;
      return { id: payload.sub, username: payload.username };
    } catch {
      return null;
    }
  }
}
