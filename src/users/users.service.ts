import { BadRequestException, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { isUsername, USERNAME_RULE } from '../common/username';
import { decodeCursor } from '../common/cursor';
import { Page, toPage } from '../common/page';
import { STALE_TOKEN_MESSAGE } from '../common/stale-account';
import { GraphService } from '../graph/graph.service';
import { PageQueryDto } from '../common/page-query.dto';
import { UserRow, UserView, toUserView } from './user.presenter';
import { UsersRepository } from './users.repository';

export { USERNAME } from '../common/username';

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly graph: GraphService,
  ) {}

  /**
   * Finds a user by username in any letter case, or answers 404. A username no user can have is a
   * 400 (UsernameParam refuses it first); only a well-formed one is ever echoed in a message.
   */
  async require(username: string): Promise<UserRow> {
    if (!isUsername(username)) throw new BadRequestException(USERNAME_RULE);
    const user = await this.users.findByUsername(username);
    if (!user) throw new NotFoundException(`user "${username}" not found`);
    return user;
  }

  async profile(username: string): Promise<UserView> {
    return toUserView(await this.require(username));
  }

  /** The caller; a token whose user is gone is answered as a stale token. */
  async me(userId: string): Promise<UserView> {
    const user = await this.users.findById(userId);
    if (!user) throw new UnauthorizedException(STALE_TOKEN_MESSAGE);
    return toUserView(user);
  }

  async followers(username: string, page: PageQueryDto): Promise<Page<UserView>> {
    const user = await this.require(username);
    const rows = await this.graph.followersList(user.id, decodeCursor(page.cursor), page.limit + 1);
    return toPage(rows, page.limit, (r) => r.seq, toUserView);
  }

  async following(username: string, page: PageQueryDto): Promise<Page<UserView>> {
    const user = await this.require(username);
    const rows = await this.graph.followingList(user.id, decodeCursor(page.cursor), page.limit + 1);
    return toPage(rows, page.limit, (r) => r.seq, toUserView);
  }
}
