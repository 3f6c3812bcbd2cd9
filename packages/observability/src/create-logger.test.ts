import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './create-logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('redacts tokens, secrets, signatures and product data by path', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ level: 'info', bindings: { service: 'test' } }, stream);
    logger.info(
      {
        req: { headers: { authorization: 'Bearer sk_live_123', 'x-hub-signature': 'sha1=abc' } },
        intercom: { accessToken: 'dG9rOjEyMw==', clientSecret: 'shh' },
        event: { properties: { email: 'sam@example.com' } },
        note: { body: '<p>[1] Viewed /billing</p>' },
        conversationId: '123',
      },
      'hello',
    );
    const text = JSON.stringify(lines[0]);
    for (const secret of [
      'sk_live_123',
      'sha1=abc',
      'dG9rOjEyMw==',
      'shh',
      'sam@example.com',
      'Viewed /billing',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({ service: 'test', conversationId: '123', msg: 'hello', level: 'info' });
  });

  it('child loggers carry their bindings on every line', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ level: 'debug' }, stream).child({ jobId: 'deliver-1' });
    logger.debug('one');
    logger.warn('two');
    expect(lines.map((line) => line.jobId)).toEqual(['deliver-1', 'deliver-1']);
  });
});
