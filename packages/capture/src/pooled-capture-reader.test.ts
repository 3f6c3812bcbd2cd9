import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describeEvent } from '@threadline/core';
import { afterAll, describe, expect, it } from 'vitest';
import { type CaptureReaderPool, startCaptureReader } from './pooled-capture-reader.js';
import { readCaptureRequest } from './read-capture-request.js';

const settings = { keys: { apiKey: 'phc_pool', serverKey: 'phs_pool' } };
const receivedAt = new Date('2026-03-02T10:00:00.000Z');

function largeBatch(apiKey: string) {
  const batch = Array.from({ length: 1000 }, (_, index) => ({
    uuid: randomUUID(),
    event: index % 2 === 0 ? '$pageview' : 'invoice_paid',
    timestamp: new Date(receivedAt.getTime() - index).toISOString(),
    properties: { distinct_id: `user-${index % 7}`, $current_url: `https://app.acme.io/${'a'.repeat(400)}` },
  }));
  return gzipSync(JSON.stringify({ api_key: apiKey, batch }));
}

const pools: CaptureReaderPool[] = [];
afterAll(async () => Promise.all(pools.map((pool) => pool.close())));

describe('startCaptureReader', () => {
  it('reads a large gzip batch on a worker thread exactly as inline, Dates and key included', async () => {
    const reader = await startCaptureReader(settings, { threads: 1 });
    pools.push(reader);
    expect(reader.problem).toBeUndefined();
    const body = largeBatch('phs_pool');
    const request = { body, contentType: 'text/plain', query: {} };
    const pooled = await reader.read(request, receivedAt);
    expect(pooled).toEqual(readCaptureRequest(request, receivedAt, settings));
    if (!pooled.ok) throw new Error(pooled.message);
    expect(pooled.key).toBe('server');
    expect(pooled.events).toHaveLength(1000);
    expect(pooled.events[0]?.timestamp).toBeInstanceOf(Date);
  });

  it('describes what it read on the worker too, within the budget; nothing for a batch of neither key', async () => {
    const reader = await startCaptureReader(settings, { threads: 1, describeBudgetMs: 10_000 });
    pools.push(reader);
    const request = { body: largeBatch('phc_pool'), contentType: 'text/plain', query: {} };
    const pooled = await reader.read(request, receivedAt);
    if (!pooled.ok) throw new Error(pooled.message);
    expect(pooled.described).toEqual(pooled.events.map((event) => describeEvent(event)));
    const hurried = await startCaptureReader(settings, { threads: 1, describeBudgetMs: 0 });
    pools.push(hurried);
    const cut = await hurried.read(request, receivedAt);
    expect(cut.ok && cut.described?.length).toBeLessThan(1000);
    const wrongKey = await reader.read({ ...request, body: largeBatch('phc_other') }, receivedAt);
    expect(wrongKey.ok && wrongKey.described).toBeUndefined();
  });

  it('answers refusals from the worker too (a wrong key, a gzip bomb)', async () => {
    const reader = await startCaptureReader(settings, { threads: 1, minBytes: 1 });
    pools.push(reader);
    const wrongKey = await reader.read({ body: largeBatch('phc_other'), query: {} }, receivedAt);
    expect(wrongKey).toMatchObject({ ok: true, key: null });
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    expect(await reader.read({ body: bomb, query: {} }, receivedAt)).toMatchObject({
      ok: false,
      code: 'too_large',
    });
  });

  it('with no threads reads every request inline', async () => {
    const reader = await startCaptureReader(settings, { threads: 0 });
    expect(reader.problem).toBeUndefined();
    const result = await reader.read({ body: largeBatch('phc_pool'), query: {} }, receivedAt);
    expect(result).toMatchObject({ ok: true, key: 'public' });
    await reader.close();
  });
});
