/**
 * True when a parsed JSON value nests deeper than `maxDepth` objects/arrays. Recursion stops one
 * level past `maxDepth`, so a hostile payload cannot exhaust the stack (at most `maxDepth + 1`
 * frames); stops at the first branch that is too deep. Allocates nothing: scalars (nearly every
 * value of a real event) are skipped with a `typeof`.
 */
export function exceedsJsonDepth(value: unknown, maxDepth: number): boolean {
  return typeof value === 'object' && value !== null && deeperThan(value, 1, maxDepth);
}

function deeperThan(value: object, depth: number, maxDepth: number): boolean {
  if (depth > maxDepth) return true;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const child: unknown = value[index];
      if (typeof child === 'object' && child !== null && deeperThan(child, depth + 1, maxDepth)) return true;
    }
    return false;
  }
  const record = value as Record<string, unknown>;
  // `for…in` without an array of keys or values; only own keys count (checked for objects only,
  // so the scalars that make up nearly every event cost one `typeof`).
  for (const key in record) {
    const child = record[key];
    if (
      typeof child === 'object' &&
      child !== null &&
      Object.hasOwn(record, key) &&
      deeperThan(child, depth + 1, maxDepth)
    ) {
      return true;
    }
  }
  return false;
}
