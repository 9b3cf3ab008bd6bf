import { ConflictException, Injectable, UnauthorizedException } from '@nestjs/common';
import * as argon2 from 'argon2';
import { toUserView, UserView } from '../users/user.presenter';
import { UsersRepository } from '../users/users.repository';
import { USERNAME } from '../users/users.service';
import { LoginDto } from './dto/login.dto';
import { RegisterDto } from './dto/register.dto';
import { Session } from './session.view';
import { TokenService } from './token.service';

@Injectable()
export class AuthService {
  // Verified against when the username is unknown, so both failures cost the same time.
  private readonly decoyHash = argon2.hash('decoy-password-never-matches');

  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: TokenService,
  ) {}

  async register(dto: RegisterDto): Promise<Session> {
    const hash = await argon2.hash(dto.password);
    const user = await this.users.create(dto.username, dto.displayName || dto.username, hash);
    if (!user) throw new ConflictException(`username "${dto.username}" is taken`);
    return this.session(toUserView(user));
  }

  async login(dto: LoginDto): Promise<Session> {
    const user = USERNAME.test(dto.username) ? await this.users.findCredentials(dto.username) : undefined;
    const valid = await argon2.verify(user?.password_hash ?? (await this.decoyHash), dto.password);
    if (!user || !valid) throw new UnauthorizedException('wrong username or password');
    return this.session(toUserView(user));
  }

  private async session(user: UserView): Promise<Session> {
    return { user, accessToken: await this.tokens.issue({ id: user.id, username: user.username }) };
  }
}
