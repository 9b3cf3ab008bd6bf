import { Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { GraphService } from '../graph/graph.service';
import { TimelineService } from '../timelines/timeline.service';
import { AccountSettleService } from './account-settle.service';
import { BigAccountsRepository } from './big-accounts.repository';

const THRESHOLD = 100;
const END = { ids: [], lastId: null, scanned: 0 };

function setup() {
  const accounts = {
    isMerged: jest.fn().mockResolvedValue(true),
    skippedPostIds: jest.fn().mockResolvedValue(['30', '20']),
    unmarkMerged: jest.fn().mockResolvedValue(true),
  };
  const followers = { followerCount: jest.fn().mockResolvedValue(THRESHOLD), followerPage: jest.fn().mockResolvedValue(END) };
  const timelines = {
    isBigAccount: jest.fn((n: number) => n > THRESHOLD),
    mergeInto: jest.fn().mockResolvedValue(undefined),
    bigAccountsChanged: jest.fn().mockResolvedValue(undefined),
  };
  const config = { fanoutInactiveDays: 30 } as AppConfig;
  const service = new AccountSettleService(
    accounts as unknown as BigAccountsRepository,
    followers as unknown as GraphService,
    timelines as unknown as TimelineService,
    config,
  );
  return { service, accounts, followers, timelines };
}

beforeAll(() => Logger.overrideLogger(false));

describe('AccountSettleService', () => {
  it('merges the posts written while big into every page of followers, then stops merging the author at read', async () => {
    const m = setup();
    m.followers.followerPage.mockResolvedValueOnce({ ids: ['1', '2'], lastId: '3', scanned: 3 }).mockResolvedValueOnce(END);
    await m.service.settle({ authorId: '7' });
    expect(m.timelines.mergeInto).toHaveBeenCalledWith(['1', '2'], ['30', '20'], true);
    expect(m.followers.followerPage.mock.calls.map((c) => c[1])).toEqual(['0', '3']);
    expect(m.accounts.unmarkMerged).toHaveBeenCalledWith('7', '30');
    expect(m.timelines.bigAccountsChanged).toHaveBeenCalledTimes(1);
    // Unmarked only after every follower has the posts.
    expect(m.timelines.mergeInto.mock.invocationCallOrder[0]).toBeLessThan(m.accounts.unmarkMerged.mock.invocationCallOrder[0]);
  });

  it('tells the merge that older posts exist when there are more than it merges', async () => {
    const m = setup();
    const many = Array.from({ length: 201 }, (_, i) => String(1000 - i));
    m.accounts.skippedPostIds.mockResolvedValue(many);
    m.followers.followerPage.mockResolvedValueOnce({ ids: ['1'], lastId: '1', scanned: 1 }).mockResolvedValueOnce(END);
    await m.service.settle({ authorId: '7' });
    expect(m.timelines.mergeInto).toHaveBeenCalledWith(['1'], many.slice(0, 200), false);
  });

  it('does nothing for an author who is not merged at read, or who is big again', async () => {
    const m = setup();
    m.accounts.isMerged.mockResolvedValue(false);
    await m.service.settle({ authorId: '7' });
    const n = setup();
    n.followers.followerCount.mockResolvedValue(THRESHOLD + 1);
    await n.service.settle({ authorId: '7' });
    for (const x of [m, n]) {
      expect(x.timelines.mergeInto).not.toHaveBeenCalled();
      expect(x.accounts.unmarkMerged).not.toHaveBeenCalled();
    }
  });

  it('keeps the cached followee lists when the author stays merged (a newer post was skipped)', async () => {
    const m = setup();
    m.accounts.unmarkMerged.mockResolvedValue(false);
    await m.service.settle({ authorId: '7' });
    expect(m.timelines.bigAccountsChanged).not.toHaveBeenCalled();
  });
});
