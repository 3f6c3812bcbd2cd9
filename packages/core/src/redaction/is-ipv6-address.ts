const HEX_GROUP = /^[0-9a-f]{1,4}$/i;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * Whether `candidate` is an IPv6 address in any RFC 4291 text form (full, `::`-compressed, or with an
 * IPv4 tail). A compressed form must contain a digit so `Foo::Bar`-like identifiers stay.
 */
export function isIpv6Address(candidate: string): boolean {
  const compressions = candidate.split('::').length - 1;
  if (compressions > 1) return false;
  let groups = candidate.split(':');
  let capacity = 8;
  const last = groups[groups.length - 1] ?? '';
  if (last.includes('.')) {
    if (!IPV4.test(last)) return false;
    groups = groups.slice(0, -1);
    capacity = 6;
  }
  if (compressions === 1) {
    if (!/\d/.test(candidate)) return false;
    const [head = '', tail = ''] = candidate.split('::');
    const named = [...(head ? head.split(':') : []), ...(tail ? tail.split(':') : [])].filter(
      (group) => !group.includes('.'),
    );
    return named.length < capacity && named.every((group) => HEX_GROUP.test(group));
  }
  return groups.length === capacity && groups.every((group) => HEX_GROUP.test(group));
}
