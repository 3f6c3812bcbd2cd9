import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';

const base = { CAPTURE_API_KEY: 'phc_key' };

function upstreamsOf(env: Record<string, string>) {
  const result = loadConfig({ ...base, ...env });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config.upstreams;
}

function problemsOf(env: Record<string, string>) {
  const result = loadConfig({ ...base, ...env });
  return result.ok ? [] : result.problems;
}

describe('POSTHOG_UPSTREAM', () => {
  it('is off by default', () => {
    expect(upstreamsOf({})).toMatchObject({
      posthog: undefined,
      segment: undefined,
      amplitude: undefined,
      timeoutMs: 10_000,
    });
  });

  it('derives both hosts of a region, from its name or its ingestion URL', () => {
    const us = { ingestion: 'https://us.i.posthog.com', assets: 'https://us-assets.i.posthog.com' };
    const eu = { ingestion: 'https://eu.i.posthog.com', assets: 'https://eu-assets.i.posthog.com' };
    expect(upstreamsOf({ POSTHOG_UPSTREAM: 'us' }).posthog).toEqual(us);
    expect(upstreamsOf({ POSTHOG_UPSTREAM: 'eu' }).posthog).toEqual(eu);
    expect(upstreamsOf({ POSTHOG_UPSTREAM: 'https://eu.i.posthog.com/' }).posthog).toEqual(eu);
  });

  it('takes a custom host, its assets host from POSTHOG_ASSETS_UPSTREAM or else the same host', () => {
    expect(upstreamsOf({ POSTHOG_UPSTREAM: 'https://posthog.example.com' }).posthog).toEqual({
      ingestion: 'https://posthog.example.com',
      assets: 'https://posthog.example.com',
    });
    expect(
      upstreamsOf({
        POSTHOG_UPSTREAM: 'http://127.0.0.1:9999',
        POSTHOG_ASSETS_UPSTREAM: 'http://127.0.0.1:9998/',
        UPSTREAM_TIMEOUT_MS: '2500',
      }),
    ).toMatchObject({
      posthog: { ingestion: 'http://127.0.0.1:9999', assets: 'http://127.0.0.1:9998' },
      timeoutMs: 2500,
    });
  });

  it('accepts plain http only for loopback and private hosts', () => {
    for (const host of ['localhost:8000', '10.1.2.3', '192.168.0.9', '172.20.0.4', 'posthog', '[::1]:8000']) {
      expect(problemsOf({ POSTHOG_UPSTREAM: `http://${host}` })).toEqual([]);
    }
    expect(problemsOf({ POSTHOG_UPSTREAM: 'http://us.i.posthog.com' })).toEqual([
      'POSTHOG_UPSTREAM: must be https (plain http only for a loopback or private-network host); or one of us, eu',
    ]);
    expect(problemsOf({ POSTHOG_UPSTREAM: 'http://8.8.8.8' })).toHaveLength(1);
  });

  it('refuses what is neither a region nor a URL, and an assets host alone', () => {
    expect(problemsOf({ POSTHOG_UPSTREAM: 'usa' })).toEqual([
      'POSTHOG_UPSTREAM: "usa" is not a URL (e.g. https://us.i.posthog.com); or one of us, eu',
    ]);
    expect(problemsOf({ POSTHOG_UPSTREAM: 'https://user:pw@posthog.example.com' })).toHaveLength(1);
    expect(problemsOf({ POSTHOG_ASSETS_UPSTREAM: 'https://assets.example.com' })).toEqual([
      'POSTHOG_ASSETS_UPSTREAM: needs POSTHOG_UPSTREAM (the ingestion host it goes with)',
    ]);
  });
});

describe('SEGMENT_UPSTREAM and AMPLITUDE_UPSTREAM', () => {
  it("take Segment's Tracking API URL with its /v1, and Amplitude's region or host", () => {
    expect(upstreamsOf({ SEGMENT_UPSTREAM: 'https://api.segment.io/v1/' }).segment).toBe(
      'https://api.segment.io/v1',
    );
    expect(upstreamsOf({ AMPLITUDE_UPSTREAM: 'us' }).amplitude).toBe('https://api2.amplitude.com');
    expect(upstreamsOf({ AMPLITUDE_UPSTREAM: 'eu' }).amplitude).toBe('https://api.eu.amplitude.com');
    expect(upstreamsOf({ AMPLITUDE_UPSTREAM: 'http://127.0.0.1:9999' }).amplitude).toBe(
      'http://127.0.0.1:9999',
    );
  });

  it('refuse a public plain http host, and a region name Segment does not have', () => {
    expect(problemsOf({ SEGMENT_UPSTREAM: 'http://api.segment.io/v1' })).toEqual([
      'SEGMENT_UPSTREAM: must be https (plain http only for a loopback or private-network host)',
    ]);
    expect(problemsOf({ SEGMENT_UPSTREAM: 'us' })).toHaveLength(1);
    expect(problemsOf({ AMPLITUDE_UPSTREAM: 'apac' })).toHaveLength(1);
  });

  it('bound the capture spool by entries and bytes', () => {
    expect(upstreamsOf({}).spool).toEqual({ maxEntries: 100_000, maxBytes: 256 * 1024 * 1024 });
    expect(upstreamsOf({ CAPTURE_SPOOL_MAX_ENTRIES: '500' }).spool.maxEntries).toBe(500);
  });
});
