import { BadRequestException } from '@nestjs/common';
import { GraphEdit, GraphService } from '../graph/graph.service';
import { RemergeFollowee, UnmergeFollowee, UnmergeMuted } from '../jobs/job-catalogue';
import { JobDispatcher } from '../jobs/job-dispatcher';
import { LiveFeedService } from '../realtime/live-feed.service';
import { TimelineService } from '../timelines/timeline.service';
import { UsersService } from '../users/users.service';
import { SafetyService } from './safety.service';

const other = { id: '2', username: 'bob', followers_count: 5 };

function setup() {
  const events: string[] = [];
  const edit = {
    tx: { tx: true },
    block: jest.fn().mockResolvedValue({ added: true, removed: [] }),
    unblock: jest.fn().mockResolvedValue(true),
    mute: jest.fn().mockResolvedValue('31'),
    unmute: jest.fn().mockResolvedValue('31'),
  };
  const graph = {
    change: jest.fn(async (_a: string, _b: string, work: (e: GraphEdit) => Promise<unknown>) => {
      const result = await work(edit as unknown as GraphEdit);
      events.push('commit');
      return result;
    }),
    isFollowing: jest.fn().mockResolvedValue(true),
  };
  const users = { require: jest.fn().mockResolvedValue(other) };
  const dispatcher = {
    record: jest.fn(async (_tx: unknown, spec: { name: string }, data: unknown) => ({ spec, data })),
    send: jest.fn(async () => {
      events.push('send');
    }),
  };
  const timelines = { forgetBigFollowees: jest.fn().mockResolvedValue(undefined), isBigAccount: jest.fn((n: number) => n > 3) };
  const live = { followBigAccount: jest.fn() };
  const service = new SafetyService(
    graph as unknown as GraphService,
    users as unknown as UsersService,
    dispatcher as unknown as JobDispatcher,
    timelines as unknown as TimelineService,
    live as unknown as LiveFeedService,
  );
  return { service, events, edit, graph, users, dispatcher, timelines, live };
}

describe('SafetyService', () => {
  it('refuses yourself with 400 before changing anything', async () => {
    const m = setup();
    m.users.require.mockResolvedValue({ ...other, id: '1' });
    for (const verb of ['block', 'unblock', 'mute', 'unmute'] as const) {
      await expect(m.service[verb]('1', 'me')).rejects.toThrow(BadRequestException);
    }
    expect(m.graph.change).not.toHaveBeenCalled();
  });

  it('blocks: an unfollow clean-up per follow removed, recorded in the change and sent after its commit', async () => {
    const m = setup();
    const removed = [
      { followerId: '1', followeeId: '2', seq: '7' },
      { followerId: '2', followeeId: '1', seq: '8' },
    ];
    m.edit.block.mockResolvedValue({ added: true, removed });
    await expect(m.service.block('1', 'bob')).resolves.toEqual({ blocking: true });
    expect(m.dispatcher.record.mock.calls.map((c) => [c[1], c[2]])).toEqual([
      [UnmergeFollowee, removed[0]],
      [UnmergeFollowee, removed[1]],
    ]);
    expect(m.events).toEqual(['commit', 'send']);
    // Neither one's sockets stay in the other's big-account room.
    expect(m.live.followBigAccount.mock.calls).toEqual([
      ['1', '2', false],
      ['2', '1', false],
    ]);
  });

  it('mutes: a clean-up of the muted account’s posts, and the muter leaves its room; a repeat records nothing', async () => {
    const m = setup();
    await expect(m.service.mute('1', 'bob')).resolves.toEqual({ muting: true });
    expect(m.dispatcher.record).toHaveBeenCalledWith({ tx: true }, UnmergeMuted, { followerId: '1', followeeId: '2', seq: '31' });
    expect(m.live.followBigAccount).toHaveBeenCalledWith('1', '2', false);
    expect(m.timelines.forgetBigFollowees).toHaveBeenCalledWith('1');
    const again = setup();
    again.edit.mute.mockResolvedValue(undefined);
    await expect(again.service.mute('1', 'bob')).resolves.toEqual({ muting: true });
    expect(again.dispatcher.record).not.toHaveBeenCalled();
    expect(again.dispatcher.send).not.toHaveBeenCalled();
  });

  it('unmutes: the account’s posts are merged again, and a followed big account’s room is joined again', async () => {
    const m = setup();
    await expect(m.service.unmute('1', 'bob')).resolves.toEqual({ muting: false });
    expect(m.dispatcher.record).toHaveBeenCalledWith({ tx: true }, RemergeFollowee, { followerId: '1', followeeId: '2', seq: '31' });
    expect(m.live.followBigAccount).toHaveBeenCalledWith('1', '2', true);
    expect(m.events).toEqual(['commit', 'send']);
  });
});
