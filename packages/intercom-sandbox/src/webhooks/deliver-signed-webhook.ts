import { createHmac } from 'node:crypto';

/** What to deliver and where. */
export interface SignedWebhookDelivery {
  /** The receiving endpoint. */
  url: string;
  /** The app's client secret, the HMAC key. */
  clientSecret: string;
  /** The notification; serialised with `JSON.stringify`, or sent as is when already a string. */
  notification: unknown;
  /** Gives up after this long (default 10 s). */
  timeoutMs?: number;
}

/** `sha1=<hex HMAC-SHA1 of the exact body bytes>`, the value of Intercom's `X-Hub-Signature` header. */
export function intercomSignature(rawBody: string | Buffer, clientSecret: string): string {
  return `sha1=${createHmac('sha1', clientSecret).update(rawBody).digest('hex')}`;
}

/**
 * POSTs a notification the way Intercom does: JSON body, signed with `X-Hub-Signature`.
 * Resolves with the receiver's status and body text; rejects only when the request itself fails.
 */
export async function deliverSignedWebhook(
  delivery: SignedWebhookDelivery,
): Promise<{ status: number; body: string }> {
  const rawBody =
    typeof delivery.notification === 'string' ? delivery.notification : JSON.stringify(delivery.notification);
  const response = await fetch(delivery.url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'User-Agent': 'Intercom-Webhooks',
      'X-Hub-Signature': intercomSignature(rawBody, delivery.clientSecret),
    },
    body: rawBody,
    signal: AbortSignal.timeout(delivery.timeoutMs ?? 10_000),
  });
  return { status: response.status, body: await response.text() };
}
