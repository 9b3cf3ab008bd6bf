import { FOLD_BATCH, FollowCountsFolder } from './follow-counts.folder';
import { FollowCountsRepository } from './follow-counts.repository';

function setup(results: (number | null)[]) {
  const counts = { fold: jest.fn() };
  for (const r of results) counts.fold.mockResolvedValueOnce(r);
  return { folder: new FollowCountsFolder(counts as unknown as FollowCountsRepository), counts };
}

describe('FollowCountsFolder', () => {
  it('folds batch after batch until one comes back short, and returns the total', async () => {
    const { folder, counts } = setup([FOLD_BATCH, FOLD_BATCH, 7]);
    await expect(folder.foldAll()).resolves.toBe(2 * FOLD_BATCH + 7);
    expect(counts.fold).toHaveBeenCalledTimes(3);
    expect(counts.fold).toHaveBeenCalledWith(FOLD_BATCH);
  });

  it('stops at once when another process holds the fold', async () => {
    const { folder, counts } = setup([null]);
    await expect(folder.foldAll()).resolves.toBe(0);
    expect(counts.fold).toHaveBeenCalledTimes(1);
  });

  it('bounds one pass, leaving a huge backlog to the next', async () => {
    const { folder, counts } = setup(Array(50).fill(FOLD_BATCH));
    await expect(folder.foldAll()).resolves.toBe(20 * FOLD_BATCH);
    expect(counts.fold).toHaveBeenCalledTimes(20);
  });
});
