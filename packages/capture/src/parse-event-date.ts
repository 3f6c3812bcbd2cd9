const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const explicitZonePattern = /(?:\b(?:GMT|UTC)\b|[+-]\d{4}\b)/i;

/** Earliest and latest times accepted: the first and last millisecond of years 0 and 9999. */
const minTimeMs = -62_167_219_200_000;
const maxTimeMs = 253_402_300_799_999;

/**
 * Parses an event time the way PostHog's capture accepts it: ISO 8601 with or without a zone
 * (no zone means UTC, never the server's local zone), ClickHouse's `YYYY-MM-DD HH:MM:SS.mmm`,
 * epoch milliseconds as a number, a `Date`, and RFC 2822 with an explicit zone. Anything else, or a year
 * outside 0–9999, is `undefined`.
 */
export function parseEventDate(value: unknown): Date | undefined {
  if (value instanceof Date) return inRange(value);
  const time = parseEventTime(value);
  return Number.isNaN(time) ? undefined : new Date(time);
}

/**
 * {@link parseEventDate} as epoch milliseconds, `NaN` where that gives `undefined`; allocates no
 * `Date` for the `toISOString()` form every SDK sends.
 */
export function parseEventTime(value: unknown): number {
  if (typeof value === 'string') {
    const fast = parseCanonicalIso(value);
    return Number.isNaN(fast) ? parseTimeText(value) : fast;
  }
  if (typeof value === 'number') return clipTime(value);
  if (value instanceof Date) return clipTime(value.getTime());
  return Number.NaN;
}

/** Epoch milliseconds as `new Date(ms)` would hold them, `NaN` outside years 0–9999. */
export function clipTime(ms: number): number {
  const time = Math.trunc(ms);
  return time >= minTimeMs && time <= maxTimeMs ? time : Number.NaN;
}

function parseTimeText(value: string): number {
  const text = value.trim();
  const iso = isoPattern.exec(text);
  if (iso !== null) return timeOf(fromIsoParts(iso));
  if (/^\d{13}$/.test(text)) return timeOf(inRange(new Date(Number(text))));
  if (/^\d{10}$/.test(text)) return timeOf(inRange(new Date(Number(text) * 1000)));
  if (explicitZonePattern.test(text)) return timeOf(inRange(new Date(text)));
  return Number.NaN;
}

function timeOf(date: Date | undefined): number {
  return date === undefined ? Number.NaN : date.getTime();
}

/** The value of the digit at `index`, or -1 when it is not a digit. */
function digitAt(text: string, index: number): number {
  const code = text.charCodeAt(index) - 48;
  return code >= 0 && code <= 9 ? code : -1;
}

function twoDigits(text: string, index: number): number {
  const tens = digitAt(text, index);
  const ones = digitAt(text, index + 1);
  return tens < 0 || ones < 0 ? -1 : tens * 10 + ones;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * `YYYY-MM-DDTHH:MM:SS.mmmZ` exactly (what `toISOString()` gives), read without a regex; `NaN` for
 * anything else, which then takes the general path. Only dates the general path reads the same way
 * are taken here: years from 1000 (`Date.UTC` maps years 0–99 to 1900–1999) and seconds up to 59
 * (a leap second rolls over there).
 */
function parseCanonicalIso(text: string): number {
  if (
    text.length !== 24 ||
    text.charCodeAt(4) !== 0x2d ||
    text.charCodeAt(7) !== 0x2d ||
    text.charCodeAt(10) !== 0x54 ||
    text.charCodeAt(13) !== 0x3a ||
    text.charCodeAt(16) !== 0x3a ||
    text.charCodeAt(19) !== 0x2e ||
    text.charCodeAt(23) !== 0x5a
  ) {
    return Number.NaN;
  }
  const century = twoDigits(text, 0);
  const yearInCentury = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  const hundreds = digitAt(text, 20);
  const millisRest = twoDigits(text, 21);
  if (
    century < 10 ||
    yearInCentury < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59 ||
    hundreds < 0 ||
    millisRest < 0
  ) {
    return Number.NaN;
  }
  const year = century * 100 + yearInCentury;
  if (day > daysInMonth(year, month)) return Number.NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second, hundreds * 100 + millisRest);
}

function fromIsoParts(parts: RegExpExecArray): Date | undefined {
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone = 'Z'] = parts;
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
    millis,
  );
  const date = new Date(utc - zoneOffsetMs(zone));
  // Date.UTC rolls 2024-02-31 over into March; a calendar date that does not exist is invalid.
  const check = new Date(utc);
  if (check.getUTCMonth() !== Number(month) - 1 || check.getUTCDate() !== Number(day)) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 60) return undefined;
  return inRange(date);
}

function zoneOffsetMs(zone: string): number {
  if (zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes) * 60_000;
}

function inRange(date: Date): Date | undefined {
  const time = date.getTime();
  if (Number.isNaN(time)) return undefined;
  const year = date.getUTCFullYear();
  return year >= 0 && year <= 9999 ? date : undefined;
}
