/**
 * A number pattern can run on into neighbouring digits (`4111 1111 1111 1111 2024`), so instead of
 * judging the whole match this tries each run of whole digit groups, longest first, and replaces the
 * first run that `isSensitive` accepts. With `mustStartAtFirstGroup`, only runs from the first group
 * are tried (for numbers anchored by a leading `+`).
 */
export function redactDigitGroups(
  match: string,
  isSensitive: (run: string) => boolean,
  placeholder: string,
  mustStartAtFirstGroup = false,
): string {
  const groups = match.match(/[^ ._/-]+|[ ._/-]/g) ?? [];
  const starts: number[] = [];
  groups.forEach((group, index) => {
    if (!/^[ ._/-]$/.test(group)) starts.push(index);
  });
  for (let width = starts.length; width >= 1; width--) {
    for (let first = 0; first + width <= starts.length; first++) {
      if (mustStartAtFirstGroup && first > 0) break;
      const from = starts[first] ?? 0;
      const to = (starts[first + width - 1] ?? 0) + 1;
      const run = groups.slice(from, to).join('');
      if (isSensitive(run)) {
        return groups.slice(0, from).join('') + placeholder + groups.slice(to).join('');
      }
    }
  }
  return match;
}
