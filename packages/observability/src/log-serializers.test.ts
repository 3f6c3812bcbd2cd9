import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './create-logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, stream };
}

const secret = 'secret.person@example.com';

describe('log serializers', () => {
  it('drop ioredis command arguments from errors, their causes included, and keep the command name', () => {
    const { lines, stream } = capture();
    const error = Object.assign(
      new Error('WRONGTYPE Operation against a key holding the wrong kind of value'),
      {
        command: {
          name: 'xadd',
          args: [`threadline:{user:${secret}}:actions`, '*', 'a', `{"email":"${secret}"}`],
        },
      },
    );
    const logger = createLogger({ level: 'info' }, stream);
    logger.error({ err: error }, 'request failed');
    logger.error({ err: new Error('capture failed', { cause: error }) }, 'request failed');
    expect(lines.join('')).not.toContain(secret);
    expect(JSON.parse(lines[0] ?? '{}').err.command).toEqual({ name: 'xadd', args: '[redacted]' });
    expect(lines[1]).toContain('WRONGTYPE');
  });

  it('log a job by id and name, never its data', () => {
    const { lines, stream } = capture();
    createLogger({ level: 'info' }, stream).warn(
      {
        job: {
          id: 'link-1',
          name: 'link-conversation',
          attemptsMade: 2,
          data: { contact: { email: secret } },
        },
      },
      'job failed',
    );
    expect(lines.join('')).not.toContain(secret);
    expect(JSON.parse(lines[0] ?? '{}').job).toEqual({
      id: 'link-1',
      name: 'link-conversation',
      attemptsMade: 2,
    });
  });

  it('log a request by method and route pattern, never its URL', () => {
    const { lines, stream } = capture();
    const request = {
      method: 'GET',
      url: `/v1/users/default/${secret}/activity?x=${secret}`,
      ip: '127.0.0.1',
      headers: { host: 'x' },
      routeOptions: { url: '/v1/users/:productId/:userId/activity' },
    };
    createLogger({ level: 'info' }, stream).info({ req: request }, 'incoming request');
    expect(lines.join('')).not.toContain(secret);
    expect(JSON.parse(lines[0] ?? '{}').req).toEqual({
      method: 'GET',
      route: '/v1/users/:productId/:userId/activity',
      remoteAddress: '127.0.0.1',
    });
  });
});
