import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigOrThrow } from './load-config.js';

describe('loadConfigOrThrow', () => {
  it('returns the config when it is valid', () => {
    const config = loadConfigOrThrow(
      { CAPTURE_API_KEY: 'phc_x', REDIS_URL: 'redis://127.0.0.1:6379' },
      'api',
    );
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
  });

  it('throws (never exits) with one indented line per problem, naming the variable', () => {
    let thrown: unknown;
    try {
      loadConfigOrThrow({ CAPTURE_API_KEY: 'phc_x', PORT: 'eighty', NOTE_COALESCE_MS: '-1' }, 'api');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const error = thrown as ConfigError;
    expect(error.problems.length).toBeGreaterThanOrEqual(2);
    const [first, ...lines] = error.message.split('\n');
    expect(first).toBe('invalid configuration');
    expect(lines).toEqual(error.problems.map((problem) => `  ${problem}`));
    expect(error.message).toMatch(/ {2}PORT: /);
    expect(error.message).toMatch(/ {2}NOTE_COALESCE_MS: /);
  });
});
