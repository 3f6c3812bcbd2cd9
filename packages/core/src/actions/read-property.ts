/** A property as text when it is a string or a finite number, else undefined. */
export function readText(properties: Record<string, unknown>, key: string): string | undefined {
  const value = properties[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A property when it is a string, else undefined. */
export function readString(properties: Record<string, unknown>, key: string): string | undefined {
  const value = properties[key];
  return typeof value === 'string' ? value : undefined;
}
