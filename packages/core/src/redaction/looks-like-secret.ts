const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Bits of Shannon entropy per character. */
export function shannonEntropy(text: string): number {
  // Counted in an array for ASCII (every token this judges), in a map for anything else.
  const asciiCounts = new Uint16Array(128);
  const otherCounts = new Map<string, number>();
  for (const character of text) {
    const code = character.charCodeAt(0);
    if (code < 128 && character.length === 1) asciiCounts[code] = (asciiCounts[code] ?? 0) + 1;
    else otherCounts.set(character, (otherCounts.get(character) ?? 0) + 1);
  }
  let entropy = 0;
  const length = text.length;
  const add = (count: number) => {
    const probability = count / length;
    entropy -= probability * Math.log2(probability);
  };
  for (const count of asciiCounts) if (count > 0) add(count);
  for (const count of otherCounts.values()) add(count);
  return entropy;
}

function characterClass(code: number): number {
  if (code >= 97 && code <= 122) return 1;
  if (code >= 65 && code <= 90) return 2;
  if (code >= 48 && code <= 57) return 3;
  return 0;
}

/**
 * How often consecutive letters/digits switch between lower case, upper case and digit, per character.
 * Random tokens switch on about every other character; words, paths and identifiers rarely do.
 */
function classSwitchRate(token: string): number {
  let switches = 0;
  let previous = 0;
  for (let index = 0; index < token.length; index++) {
    const current = characterClass(token.charCodeAt(index));
    if (current === 0) continue;
    if (previous !== 0 && current !== previous) switches++;
    previous = current;
  }
  return switches / token.length;
}

/** `token` without its trailing `=` (a `/=+$/` replace would rescan a long run of `=` from each one). */
function withoutTrailingPadding(token: string): string {
  let end = token.length;
  while (end > 0 && token.charCodeAt(end - 1) === 61) end--;
  return token.slice(0, end);
}

/**
 * Whether a run of token characters (`[A-Za-z0-9+/=_-]`, at least 24 long) looks like a random secret
 * rather than a word, path, identifier or UUID.
 */
export function looksLikeSecret(token: string): boolean {
  const core = withoutTrailingPadding(token);
  if (core.length < 24 || UUID.test(core)) return false;
  if (/^[0-9a-f]+$/i.test(core)) return core.length >= 32 && /\d/.test(core) && /[a-f]/i.test(core);
  const hasLower = /[a-z]/.test(core);
  const hasUpper = /[A-Z]/.test(core);
  const hasDigit = /\d/.test(core);
  const switchRate = classSwitchRate(core);
  if (hasLower && hasUpper && hasDigit)
    return core.length >= 32 && switchRate >= 0.25 && shannonEntropy(core) >= 3.8;
  if (/^[a-z0-9]+$/i.test(core) && hasDigit) return switchRate >= 0.3 && shannonEntropy(core) >= 3.5;
  return false;
}
