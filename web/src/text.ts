/** Text rules shared with the API. */

export const MAX_POST_LENGTH = 280;

/** The API counts Unicode code points after trimming: an emoji counts once. */
export function postLength(text: string): number {
  return [...text.trim()].length;
}

const numbers = new Intl.NumberFormat();
export const formatNumber = (n: number): string => numbers.format(n);

export function plural(n: number, one: string, many: string): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

const dates = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "now", "42s", "5m", "3h", then the date. */
export function relativeTime(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 5) return 'now';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return dates.format(new Date(iso));
}

export function fullTime(iso: string): string {
  return dates.format(new Date(iso));
}
