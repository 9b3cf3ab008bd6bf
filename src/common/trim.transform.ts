import { Transform } from 'class-transformer';

/**
 * Text that shows nothing: white space, the characters Unicode says to render invisibly (zero-width
 * space, ZWNJ, ZWJ, word joiner, BOM, soft hyphen, variation selectors, bidi controls, Hangul
 * fillers, tags) and the Braille blank. String.prototype.trim knows only the white space.
 */
const INVISIBLE_ONLY = /^[\s\p{Default_Ignorable_Code_Point}\u2800]*$/u;

/** Trims a string; one that shows nothing becomes empty, so it is refused like other blank text. */
export function trimText(value: string): string {
  return INVISIBLE_ONLY.test(value) ? '' : value.trim();
}

/** Trims strings at the edge; other types pass through for the validators to reject. */
export const Trim = () => Transform(({ value }) => (typeof value === 'string' ? trimText(value) : value));
