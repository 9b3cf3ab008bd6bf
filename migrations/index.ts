import { InitialSchema1764288000000 } from './1764288000000-InitialSchema';
import { HomeMarkers1795839200000 } from './1795839200000-HomeMarkers';
import { BlocksMutesReposts1795927000000 } from './1795927000000-BlocksMutesReposts';

/** Every migration, oldest first. Listed, not globbed, so the app, the CLI and Jest load the same set. */
export const MIGRATIONS = [InitialSchema1764288000000, HomeMarkers1795839200000, BlocksMutesReposts1795927000000];
