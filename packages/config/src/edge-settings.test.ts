import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';

const api = {
  CAPTURE_API_KEY: 'phc_test',
  INTERCOM_ACCESS_TOKEN: 'dG9rOnJlYWw=',
  INTERCOM_CLIENT_SECRET: 'sandbox-client-secret',
};

function problemsOf(env: Record<string, string>, role: 'api' | 'worker' | 'cli' = 'api'): string[] {
  const result = loadConfig(env, role);
  return result.ok ? [] : result.problems;
}

describe('the sandbox client secret', () => {
  it('is refused by the API and the worker when INTERCOM_API_BASE_URL is a real Intercom region', () => {
    for (const base of [
      undefined,
      'https://api.intercom.io',
      'https://api.eu.intercom.io',
      'http://10.0.0.5:8090',
    ]) {
      const env = base ? { ...api, INTERCOM_API_BASE_URL: base } : api;
      for (const role of ['api', 'worker'] as const) {
        expect(problemsOf(env, role).join('\n'), `${base} ${role}`).toMatch(
          /^INTERCOM_CLIENT_SECRET: is the public sandbox secret/,
        );
      }
    }
  });

  it('is accepted with the sandbox: loopback or the compose service', () => {
    for (const base of [
      'http://127.0.0.1:8090',
      'http://localhost:8090',
      'http://[::1]:8090',
      'http://sandbox:8090',
    ]) {
      expect(problemsOf({ ...api, INTERCOM_API_BASE_URL: base }), base).toEqual([]);
    }
  });

  it('any other secret is accepted with a real region', () => {
    expect(problemsOf({ ...api, INTERCOM_CLIENT_SECRET: 'a-real-client-secret' })).toEqual([]);
  });
});

describe('ADMIN_READ_TOKEN and METRICS_PORT', () => {
  it('reads both', () => {
    const result = loadConfig({
      CAPTURE_API_KEY: 'phc_test',
      ADMIN_TOKEN: 'admin-token-0123456789',
      ADMIN_READ_TOKEN: 'read-token-0123456789',
      METRICS_PORT: '9464',
    });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.config.adminReadToken).toBe('read-token-0123456789');
    expect(result.config.metricsPort).toBe(9464);
  });

  it('defaults to none', () => {
    const result = loadConfig({ CAPTURE_API_KEY: 'phc_test' });
    expect(result.ok && [result.config.adminReadToken, result.config.metricsPort]).toEqual([
      undefined,
      undefined,
    ]);
  });

  it('refuses a short read token, one equal to ADMIN_TOKEN, and METRICS_PORT equal to PORT', () => {
    expect(problemsOf({ CAPTURE_API_KEY: 'phc_test', ADMIN_READ_TOKEN: 'short' })).toEqual([
      'ADMIN_READ_TOKEN: must be at least 16 characters',
    ]);
    const same = 'the-same-token-0123456789';
    expect(problemsOf({ CAPTURE_API_KEY: 'phc_test', ADMIN_TOKEN: same, ADMIN_READ_TOKEN: same })).toEqual([
      'ADMIN_READ_TOKEN: must differ from ADMIN_TOKEN',
    ]);
    expect(problemsOf({ CAPTURE_API_KEY: 'phc_test', METRICS_PORT: '8080' })).toEqual([
      'METRICS_PORT: must differ from PORT (it is a listener of its own)',
    ]);
    expect(problemsOf({ CAPTURE_API_KEY: 'phc_test', METRICS_PORT: 'abc' })).toEqual([
      'METRICS_PORT: must be a port number',
    ]);
  });
});
