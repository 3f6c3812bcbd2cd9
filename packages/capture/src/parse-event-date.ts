const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const explicitZonePattern = /(?:\b(?:GMT|UTC)\b|[+-]\d{4}\b)/i;

/**
 * Parses an event time the way PostHog's capture accepts it: ISO 8601 with or without a zone
 * (no zone means UTC, never the server's local zone), ClickHouse's `YYYY-MM-DD HH:MM:SS.mmm`,
 * epoch milliseconds as a number, a `Date`, and RFC 2822 with an explicit zone. Anything else, or a year
 * outside 0–9999, is `undefined`.
 */
export function parseEventDate(value: unknown): Date | undefined {
  if (value instanceof Date) return inRange(value);
  if (typeof value === 'number') return inRange(new Date(value));
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const iso = isoPattern.exec(text);
  if (iso !== null) return fromIsoParts(iso);
  if (/^\d{13}$/.test(text)) return inRange(new Date(Number(text)));
  if (/^\d{10}$/.test(text)) return inRange(new Date(Number(text) * 1000));
  if (explicitZonePattern.test(text)) return inRange(new Date(text));
  return undefined;
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
