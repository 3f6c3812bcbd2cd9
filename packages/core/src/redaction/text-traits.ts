/** What the rules' pre-checks need to know about a text, gathered in one pass over it. */
export interface TextTraits {
  /** How many ASCII digits it holds. */
  digits: number;
  /** Length of its longest run of `[A-Za-z0-9+/_=-]`, the characters of keys and random tokens. */
  longestTokenRun: number;
}

function isTokenCharacter(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || // a-z
    (code >= 65 && code <= 90) || // A-Z
    (code >= 48 && code <= 57) || // 0-9
    code === 43 || // +
    code === 47 || // /
    code === 95 || // _
    code === 61 || // =
    code === 45 // -
  );
}

/** Counts digits and measures the longest token run of `text`. */
export function textTraits(text: string): TextTraits {
  let digits = 0;
  let run = 0;
  let longestTokenRun = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) digits++;
    if (isTokenCharacter(code)) {
      run++;
      if (run > longestTokenRun) longestTokenRun = run;
    } else {
      run = 0;
    }
  }
  return { digits, longestTokenRun };
}
