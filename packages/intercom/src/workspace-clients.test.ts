import { describe, expect, it } from 'vitest';
import { IntercomAdapter } from './intercom-adapter.js';
import { type WorkspaceClientSettings, WorkspaceClients } from './workspace-clients.js';

const settings = (accessToken: string, adminId?: string): WorkspaceClientSettings => ({
  accessToken,
  baseUrl: 'http://127.0.0.1:9',
  adminId,
});

/** Real adapters (building one makes no call), counted as they are built. */
function clients(maxClients?: number) {
  const built: string[] = [];
  const cache = new WorkspaceClients((productId, given) => {
    built.push(productId);
    return new IntercomAdapter({ accessToken: given.accessToken, baseUrl: given.baseUrl });
  }, maxClients);
  return { cache, built };
}

describe('one Intercom client per workspace', () => {
  it('builds a workspace its client once and keeps it while its settings stay', () => {
    const { cache, built } = clients();
    const first = cache.get('a', settings('tok-a'));
    expect(cache.get('a', settings('tok-a'))).toBe(first);
    expect(cache.get('b', settings('tok-b'))).not.toBe(first);
    expect(built).toEqual(['a', 'b']);
  });

  it('builds a new client when a reinstall changes the token or the admin', () => {
    const { cache, built } = clients();
    const old = cache.get('a', settings('tok-old'));
    const renewed = cache.get('a', settings('tok-new'));
    expect(renewed).not.toBe(old);
    expect(cache.get('a', settings('tok-new', '42'))).not.toBe(renewed);
    expect(built).toEqual(['a', 'a', 'a']);
    expect(cache.size).toBe(1);
  });

  it('keeps at most maxClients, dropping the least recently used', () => {
    const { cache, built } = clients(2);
    const a = cache.get('a', settings('tok-a'));
    cache.get('b', settings('tok-b'));
    expect(cache.get('a', settings('tok-a'))).toBe(a);
    cache.get('c', settings('tok-c'));
    expect(cache.size).toBe(2);
    // b was the least recently used: it is built again, a was kept.
    cache.get('b', settings('tok-b'));
    expect(cache.get('c', settings('tok-c'))).toBeDefined();
    expect(built).toEqual(['a', 'b', 'c', 'b']);
  });

  it('forgets a workspace whose token is gone', () => {
    const { cache, built } = clients();
    cache.get('a', settings('tok-a'));
    cache.forget('a');
    cache.get('a', settings('tok-a'));
    expect(built).toEqual(['a', 'a']);
  });
});
