import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

export interface TargetPolicy {
  /** SUBSCRIPTIONS_ALLOW_PRIVATE: http and private, loopback and link-local addresses too (tests). */
  allowPrivate: boolean;
}

export type TargetCheck = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * Whether an address is one the public internet routes (ipaddr.js's `unicast` range): loopback,
 * private, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast, reserved and
 * unspecified addresses are not. An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is judged as IPv4.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

/** The URL's own checks: scheme, no credentials in it. */
export function checkUrlShape(target: string, policy: TargetPolicy): TargetCheck {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (url.protocol !== 'https:' && !(policy.allowPrivate && url.protocol === 'http:'))
    return {
      ok: false,
      reason: 'only https URLs are allowed (http too with SUBSCRIPTIONS_ALLOW_PRIVATE=true)',
    };
  if (url.username || url.password)
    return { ok: false, reason: 'a URL with a user name or password is not allowed' };
  return { ok: true, url };
}

/** Refuses an address that is not public, unless private ones are allowed. */
export function checkAddress(address: string, policy: TargetPolicy): string | null {
  if (policy.allowPrivate || isPublicAddress(address)) return null;
  return `it resolves to ${address}, a private, loopback, link-local or reserved address`;
}

/**
 * Checks a push target before it is stored: its shape, then every address its host resolves to (not
 * just a literal address in it). Delivery checks the address again as it connects, so a name that
 * later resolves elsewhere (DNS rebinding) is refused then too.
 */
export async function checkTarget(target: string, policy: TargetPolicy): Promise<TargetCheck> {
  const shape = checkUrlShape(target, policy);
  if (!shape.ok) return shape;
  const host = shape.url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = ipaddr.isValid(host)
      ? [host]
      : (await lookup(host, { all: true })).map((entry) => entry.address);
  } catch {
    return { ok: false, reason: `its host ${host} does not resolve` };
  }
  for (const address of addresses) {
    const refusal = checkAddress(address, policy);
    if (refusal) return { ok: false, reason: refusal };
  }
  return shape;
}
