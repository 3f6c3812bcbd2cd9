import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { captureKeyKind } from './capture-key.js';
import { type ExtractedBatch, extractEvents } from './extract-events.js';
import { extractWebhookEvent } from './extract-webhook-event.js';

const now = new Date('2025-06-01T12:00:00.000Z');
const secret = 'identity-secret';
const hash = (userId: string) => createHmac('sha256', secret).update(userId).digest('hex');

function extract(payload: unknown, identitySecret?: string): ExtractedBatch {
  const result = extractEvents(payload, { now, ...(identitySecret ? { identitySecret } : {}) });
  if (!result.ok) throw new Error(result.message);
  return result;
}

describe('identity proofs at extraction', () => {
  const events = [
    { event: 'a', properties: { distinct_id: 'user-1', $user_hash: hash('user-1'), plan: 'Pro' } },
    { event: 'b', properties: { distinct_id: 'user-2', $user_hash: hash('user-1') } },
    { event: 'c', properties: { distinct_id: 'user-3' } },
  ];

  it('marks verified only the events whose proof names their distinct id', () => {
    const batch = extract(events, secret);
    expect(batch.events.map((event) => [event.distinctId, event.verified])).toEqual([
      ['user-1', true],
      ['user-2', undefined],
      ['user-3', undefined],
    ]);
  });

  it('checks nothing without the secret', () => {
    expect(extract(events).events.map((event) => event.verified)).toEqual([undefined, undefined, undefined]);
  });

  it('drops the proof itself from every event, with or without the secret', () => {
    for (const batch of [extract(events, secret), extract(events)]) {
      const text = JSON.stringify(batch.events);
      expect(text).not.toContain('$user_hash');
      expect(text).not.toContain(hash('user-1'));
      expect(batch.events[0]?.properties).toEqual({ distinct_id: 'user-1', plan: 'Pro' });
    }
  });

  it('reads the proof a PostHog webhook forwards', () => {
    const result = extractWebhookEvent(
      { event: { event: 'a', distinct_id: 'user-1', properties: { $user_hash: hash('user-1') } } },
      { now, identitySecret: secret },
    );
    expect(result.ok && result.event.verified).toBe(true);
    expect(JSON.stringify(result)).not.toContain(hash('user-1'));
  });
});

describe('captureKeyKind', () => {
  const keys = { apiKey: 'phc_public', serverKey: 'server_secret_key' };

  it('tells the public key from the server key, and refuses anything else', () => {
    expect(captureKeyKind('phc_public', keys)).toBe('public');
    expect(captureKeyKind('server_secret_key', keys)).toBe('server');
    expect(captureKeyKind('phc_publiC', keys)).toBeNull();
    expect(captureKeyKind(undefined, keys)).toBeNull();
    expect(captureKeyKind('', keys)).toBeNull();
    expect(captureKeyKind('server_secret_key', { apiKey: 'phc_public' })).toBeNull();
  });
});
