import { randomBytes } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Webhook } from 'standardwebhooks';
import { checkAddress, checkUrlShape, type TargetPolicy } from './check-target.js';

/** A new Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export interface SignedPost {
  url: string;
  /** `webhook-id`: the same on every retry of one batch. */
  webhookId: string;
  secret: string;
  body: string;
  timeoutMs: number;
  now?: Date;
}

export type PostOutcome = { ok: true; status: number } | { ok: false; reason: string };

/** Answers bodies are not read beyond this: a receiver's answer is only its status. */
const answerLimit = 4096;

/** A DNS lookup that refuses any address the policy does not allow, at the moment of connecting. */
function checkedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 4);
      const list = addresses as unknown as LookupAddress[];
      for (const { address } of list) {
        const refusal = checkAddress(address, policy);
        if (refusal) return callback(new Error(`refused: ${refusal}`), '', 4);
      }
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      const first = list[0];
      return first
        ? callback(null, first.address, first.family)
        : callback(new Error(`${hostname} has no address`), '', 4);
    });
  };
}

/**
 * POSTs one push, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp` of this attempt,
 * `webhook-signature: v1,<base64>`), to an address checked as it connects. Never follows redirects.
 */
export function postSigned(post: SignedPost, policy: TargetPolicy): Promise<PostOutcome> {
  const shape = checkUrlShape(post.url, policy);
  if (!shape.ok) return Promise.resolve({ ok: false, reason: `target refused: ${shape.reason}` });
  const host = shape.url.hostname.replace(/^\[|\]$/g, '');
  // Node connects to a literal address without a lookup, so it is checked here.
  const literalRefusal = ipaddr.isValid(host) ? checkAddress(host, policy) : null;
  if (literalRefusal) return Promise.resolve({ ok: false, reason: `target refused: ${literalRefusal}` });
  const timestamp = post.now ?? new Date();
  const signature = new Webhook(post.secret).sign(post.webhookId, timestamp, post.body);
  const request = shape.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const outgoing = request(
      shape.url,
      {
        method: 'POST',
        lookup: checkedLookup(policy),
        timeout: post.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Threadline-Webhooks',
          'webhook-id': post.webhookId,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': signature,
        },
      },
      (response) => {
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > answerLimit) response.destroy();
        });
        response.on('close', () => {
          const status = response.statusCode ?? 0;
          resolve(
            status >= 200 && status < 300
              ? { ok: true, status }
              : { ok: false, reason: `the receiver answered ${status}` },
          );
        });
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${post.timeoutMs} ms`)));
    outgoing.on('error', (error) => resolve({ ok: false, reason: error.message }));
    outgoing.end(post.body);
  });
}
