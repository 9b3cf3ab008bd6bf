import { Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { decodeCursor } from '../common/cursor';
import { Page, toPage } from '../common/page';
import { STALE_TOKEN_MESSAGE } from '../common/stale-account';
import { GraphService } from '../graph/graph.service';
import { PageQueryDto } from '../common/page-query.dto';
import { UserRow, UserView, toUserView } from './user.presenter';
import { UsersRepository } from './users.repository';

/** What a username can be; a lookup of anything else finds no one without asking the database. */
export const USERNAME = /^[A-Za-z0-9_]{3,30}$/;

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly graph: GraphService,
  ) {}

  /** Finds a user by username in any letter case, or answers 404. */
  async require(username: string): Promise<UserRow> {
    const user = USERNAME.test(username) ? await this.users.findByUsername(username) : undefined;
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
