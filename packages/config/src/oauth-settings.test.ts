import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';

const minimal = { CAPTURE_API_KEY: 'phc_test' };
const key = () => randomBytes(32).toString('base64');
const oauth = {
  ...minimal,
  INTERCOM_CLIENT_ID: 'client-1',
  INTERCOM_CLIENT_SECRET: 'secret-1',
  THREADLINE_PUBLIC_URL: 'https://threadline.example.com',
};

function problemsOf(env: Record<string, string>, role: 'api' | 'worker' | 'cli' = 'api'): string[] {
  const result = loadConfig(env, role);
  return result.ok ? [] : result.problems;
}

describe('OAuth install settings', () => {
  it('is off without INTERCOM_CLIENT_ID, and then needs no encryption key', () => {
    const result = loadConfig(minimal, 'api');
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.config.intercom.clientId).toBeUndefined();
    expect(result.config.intercom.oauthUrl).toBe('https://app.intercom.com/oauth');
    expect(result.config.encryptionKeys).toEqual([]);
  });

  it('requires the encryption key, the client secret and the public URL with a client id', () => {
    const problems = problemsOf({ ...minimal, INTERCOM_CLIENT_ID: 'client-1' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^THREADLINE_ENCRYPTION_KEY: required when INTERCOM_CLIENT_ID is set/),
        expect.stringMatching(/^INTERCOM_CLIENT_SECRET: required when INTERCOM_CLIENT_ID is set/),
        expect.stringMatching(/^THREADLINE_PUBLIC_URL: required when INTERCOM_CLIENT_ID is set/),
      ]),
    );
    expect(problemsOf({ ...minimal, INTERCOM_CLIENT_ID: 'c', INTERCOM_CLIENT_SECRET: 's' }, 'cli')).toEqual([
      expect.stringMatching(/^THREADLINE_ENCRYPTION_KEY: required/),
    ]);
  });

  it('takes a comma list of keys, the first one first', () => {
    const [first, second] = [key(), key()];
    const result = loadConfig({ ...oauth, THREADLINE_ENCRYPTION_KEY: ` ${first} , ${second}` }, 'api');
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.config.encryptionKeys).toEqual([first, second]);
    expect(result.config.intercom.clientId).toBe('client-1');
  });

  it('refuses a key that is not 32 bytes of base64, or a key listed twice, without printing it', () => {
    const short = randomBytes(16).toString('base64');
    const problems = problemsOf({ ...oauth, THREADLINE_ENCRYPTION_KEY: `${key()},${short}` });
    expect(problems).toEqual([expect.stringMatching(/^THREADLINE_ENCRYPTION_KEY: key 2 is not 32 bytes/)]);
    expect(problems.join('\n')).not.toContain(short);
    const same = key();
    expect(problemsOf({ ...oauth, THREADLINE_ENCRYPTION_KEY: `${same},${same}` })).toEqual([
      'THREADLINE_ENCRYPTION_KEY: lists the same key twice',
    ]);
  });
});
