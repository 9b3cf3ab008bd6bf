import { InitialSchema1764288000000 } from './1764288000000-InitialSchema';

/** Every migration, oldest first. Listed, not globbed, so the app, the CLI and Jest load the same set. */
export const MIGRATIONS = [InitialSchema1764288000000];
