import { Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RetentionRepository } from './retention.repository';
import { RETENTION_BATCH, RETENTION_MAX_BATCHES, RetentionService } from './retention.service';

const DAY_MS = 86_400_000;
const config = { retentionDays: 7 } as AppConfig;

function setup() {
  const repo = {
    pruneDoneOutbox: jest.fn().mockResolvedValue(0),
    pruneDeadOutbox: jest.fn().mockResolvedValue(0),
    pruneFinishedFanouts: jest.fn().mockResolvedValue(0),
    purgeDeletedPosts: jest.fn().mockResolvedValue(0),
    clearDeletedText: jest.fn().mockResolvedValue(0),
    pruneIdempotencyKeys: jest.fn().mockResolvedValue(0),
  };
  return { repo, service: new RetentionService(repo as unknown as RetentionRepository, config) };
}

beforeAll(() => Logger.overrideLogger(false));

describe('RetentionService', () => {
  it('removes everything older than RETENTION_DAYS before the clock it is given', async () => {
    const { repo, service } = setup();
    const now = new Date('2030-01-10T00:00:00Z');
    repo.pruneDoneOutbox.mockResolvedValueOnce(3);
    repo.purgeDeletedPosts.mockResolvedValueOnce(2);
    const report = await service.run(now);
    const cutoff = new Date(now.getTime() - 7 * DAY_MS);
    for (const step of ['pruneDoneOutbox', 'pruneDeadOutbox', 'pruneFinishedFanouts', 'purgeDeletedPosts', 'clearDeletedText'] as const) {
      expect(repo[step]).toHaveBeenCalledWith(cutoff, RETENTION_BATCH);
    }
    expect(repo.pruneIdempotencyKeys).toHaveBeenCalledWith(RETENTION_BATCH);
    expect(report).toEqual({ outboxDone: 3, outboxDead: 0, fanouts: 0, deletedPosts: 2, clearedTexts: 0, idempotencyKeys: 0 });
  });

  it('purges before it clears texts, so only the posts it had to keep lose their text', async () => {
    const { repo, service } = setup();
    await service.run();
    expect(repo.purgeDeletedPosts.mock.invocationCallOrder[0]).toBeLessThan(repo.clearDeletedText.mock.invocationCallOrder[0]);
  });

  it('repeats a step while its batches come back full, and stops at the first short one', async () => {
    const { repo, service } = setup();
    repo.pruneFinishedFanouts.mockResolvedValueOnce(RETENTION_BATCH).mockResolvedValueOnce(RETENTION_BATCH).mockResolvedValueOnce(10);
    const report = await service.run();
    expect(repo.pruneFinishedFanouts).toHaveBeenCalledTimes(3);
    expect(report.fanouts).toBe(2 * RETENTION_BATCH + 10);
  });

  it('bounds one run: a backlog larger than RETENTION_MAX_BATCHES batches is left for the next', async () => {
    const { repo, service } = setup();
    repo.pruneDoneOutbox.mockResolvedValue(RETENTION_BATCH);
    const report = await service.run();
    expect(repo.pruneDoneOutbox).toHaveBeenCalledTimes(RETENTION_MAX_BATCHES);
    expect(report.outboxDone).toBe(RETENTION_MAX_BATCHES * RETENTION_BATCH);
  });
});
