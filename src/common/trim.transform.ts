import { Transform } from 'class-transformer';

/** Trims strings at the edge; other types pass through for the validators to reject. */
export const Trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));
