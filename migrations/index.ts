import { InitialSchema1764288000000 } from './1764288000000-InitialSchema';
import { HomeMarkers1795839200000 } from './1795839200000-HomeMarkers';
import { OutboxDeadLetters1795926100000 } from './1795926100000-OutboxDeadLetters';
import { RetentionIndexes1795926110000 } from './1795926110000-RetentionIndexes';
import { BlocksMutesReposts1795927000000 } from './1795927000000-BlocksMutesReposts';
import { RepliesAndReposts1795927100000 } from './1795927100000-RepliesAndReposts';
import { MergedAtRead1795927110000 } from './1795927110000-MergedAtRead';
import { FollowCountDeltas1795928100000 } from './1795928100000-FollowCountDeltas';

/** Every migration, oldest first. Listed, not globbed, so the app, the CLI and Jest load the same set. */
export const MIGRATIONS = [
  InitialSchema1764288000000,
  HomeMarkers1795839200000,
  OutboxDeadLetters1795926100000,
  RetentionIndexes1795926110000,
  BlocksMutesReposts1795927000000,
  RepliesAndReposts1795927100000,
  MergedAtRead1795927110000,
  FollowCountDeltas1795928100000,
];
