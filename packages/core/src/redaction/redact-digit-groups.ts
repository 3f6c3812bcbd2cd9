const SEPARATOR = /^[ ._/-]$/;

/**
 * A number pattern can run on into neighbouring digits (`4111 1111 1111 1111 2024`), so instead of
 * judging the whole match this tries each run of whole digit groups, longest first, and replaces the
 * first run that `isSensitive` accepts. With `mustStartAtFirstGroup`, only runs from the first group
 * are tried (for numbers anchored by a leading `+`). `hasPlausibleDigitCount` skips, before any string
 * is built, the runs whose number of digits rules them out.
 */
export function redactDigitGroups(
  match: string,
  isSensitive: (run: string) => boolean,
  placeholder: string,
  mustStartAtFirstGroup = false,
  hasPlausibleDigitCount: (digits: number) => boolean = () => true,
): string {
  const groups = match.match(/[^ ._/-]+|[ ._/-]/g) ?? [];
  const starts: number[] = [];
  // digitsUpTo[i]: digits in groups[0..i).
  const digitsUpTo: number[] = [0];
  groups.forEach((group, index) => {
    if (!SEPARATOR.test(group)) starts.push(index);
    let digits = 0;
    for (let position = 0; position < group.length; position++) {
      const code = group.charCodeAt(position);
      if (code >= 48 && code <= 57) digits++;
    }
    digitsUpTo.push((digitsUpTo[index] ?? 0) + digits);
  });
  for (let width = starts.length; width >= 1; width--) {
    for (let first = 0; first + width <= starts.length; first++) {
      if (mustStartAtFirstGroup && first > 0) break;
      const from = starts[first] ?? 0;
      const to = (starts[first + width - 1] ?? 0) + 1;
      if (!hasPlausibleDigitCount((digitsUpTo[to] ?? 0) - (digitsUpTo[from] ?? 0))) continue;
      const run = groups.slice(from, to).join('');
      if (isSensitive(run)) {
        return groups.slice(0, from).join('') + placeholder + groups.slice(to).join('');
      }
    }
  }
  return match;
}
