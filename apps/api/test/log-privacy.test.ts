import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { loadConfig } from '@threadline/config';
import { createLogger } from '@threadline/observability';
import { RedisKeys } from '@threadline/redis-store';
import {
  conversationNotification,
  deleteKeysWithPrefix,
  intercomSignature,
  testRedisUrl,
  uniquePrefix,
} from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type ThreadlineServer } from '../src/build-server.js';
import { compose } from '../src/compose.js';

// Known values pushed through every path; none may appear in any log line, in any encoding.
const canaryUser = 'canary-user-5d1e97';
const canaryEmail = 'canary.person.5d1e97@example.com';
const canaryText = 'canary-text-5d1e97';
const encodings = (value: string) => [
  value,
  encodeURIComponent(value),
  Buffer.from(value).toString('base64').slice(0, 16),
];

const mcpKey = 'mcp_log_key_0123456789abcdef';
const adminToken = 'admin-token-0123456789abcdef';
const lines: string[] = [];
let server: ThreadlineServer;
let composed: Awaited<ReturnType<typeof compose>>;
let prefix: string;
let redis: Redis;

beforeAll(async () => {
  prefix = uniquePrefix('logs');
  const result = loadConfig({
    CAPTURE_API_KEY: 'phc_test_key',
    INTERCOM_CLIENT_SECRET: 'test_client_secret',
    REDIS_URL: testRedisUrl(),
    THREADLINE_PREFIX: prefix,
    MCP_API_KEYS: `${mcpKey}:default`,
    ADMIN_TOKEN: adminToken,
  });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  // `trace`: every line Fastify, the routes and the adapters can write.
  composed = await compose(
    result.config,
    createLogger({ level: 'trace', bindings: { service: 'api' } }, stream),
  );
  server = await buildServer(composed.deps);
  redis = new Redis(testRedisUrl());
});
afterAll(async () => {
  redis.disconnect();
  await server.app.close();
  await composed.close();
  await deleteKeysWithPrefix(testRedisUrl(), prefix);
});

const event = (distinctId: string) => ({
  event: '$pageview',
  distinct_id: distinctId,
  properties: {
    $current_url: `https://shop.example/account?email=${canaryEmail}&q=${canaryText}`,
    $el_text: `Send to ${canaryEmail} ${canaryText}`,
    $set: { email: canaryEmail, name: canaryText },
  },
});

describe('what the API logs', () => {
  it('carries no user id, email or event text, whichever path they came by', async () => {
    const { app } = server;
    // Capture in the body, plain and gzip.
    const batch = JSON.stringify({ api_key: 'phc_test_key', batch: [event(canaryUser)] });
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/batch/',
          headers: { 'content-type': 'application/json' },
          payload: batch,
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `/e/?compression=gzip-js&ip=1&_=${Date.now()}`,
          headers: { 'content-type': 'text/plain' },
          payload: gzipSync(JSON.stringify({ api_key: 'phc_test_key', ...event(canaryUser) })),
        })
      ).statusCode,
    ).toBe(200);
    // Capture in `?data=` (GET, as a pixel or an old client sends it).
    const data = Buffer.from(JSON.stringify({ api_key: 'phc_test_key', ...event(canaryUser) })).toString(
      'base64',
    );
    expect(
      (await app.inject({ method: 'GET', url: `/e/?data=${encodeURIComponent(data)}` })).statusCode,
    ).toBe(200);
    // A refused capture echoes nothing of the event either.
    await app.inject({
      method: 'GET',
      url: `/e/?data=${encodeURIComponent(Buffer.from(`{"x":"${canaryText}"`).toString('base64'))}`,
    });
    // The REST activity route, with the user id in the path, known and unknown keys.
    for (const authorization of [`Bearer ${mcpKey}`, 'Bearer wrong_key_0123456789abcdef', undefined]) {
      await app.inject({
        method: 'GET',
        url: `/v1/users/default/${encodeURIComponent(canaryUser)}/activity?limit=5&email=${canaryEmail}`,
        headers: authorization ? { authorization } : {},
      });
      await app.inject({
        method: 'GET',
        url: `/v1/users/default/${encodeURIComponent(canaryEmail)}/activity`,
        headers: authorization ? { authorization } : {},
      });
    }
    // MCP with the user id in the tool call.
    await app.inject({
      method: 'POST',
      url: '/mcp',
      headers: {
        authorization: `Bearer ${mcpKey}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      payload: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'get_live_user_activity', arguments: { product_id: 'default', user_id: canaryUser } },
      }),
    });
    // A signed webhook whose contact is the canary (the link job carries the email).
    const notification = conversationNotification({
      notificationId: 'n-logs-1',
      conversationId: 'c-logs-1',
      externalId: canaryUser,
    });
    const body = JSON.stringify(notification).replaceAll('"email":null', `"email":"${canaryEmail}"`);
    await app.inject({
      method: 'POST',
      url: '/webhooks/intercom',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature': intercomSignature(body, 'test_client_secret'),
      },
      payload: body,
    });
    // Unknown routes with ids in them.
    await app.inject({ method: 'GET', url: `/nope/${canaryUser}?email=${canaryEmail}` });
    // A Redis error: the user's stream key holds a string, so XADD fails with WRONGTYPE and ioredis's
    // error carries the command's arguments (the key with the user id, the action JSON).
    const brokenUser = `${canaryUser}-broken`;
    await redis.set(new RedisKeys(prefix).actions('default', brokenUser), canaryText);
    const failed = await app.inject({
      method: 'POST',
      url: '/batch/',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ api_key: 'phc_test_key', batch: [event(brokenUser)] }),
    });
    expect(failed.statusCode).toBe(500);

    const text = lines.join('');
    // The paths really were logged (so the scan below scans something).
    expect(text).toContain('"route":"/batch"');
    expect(text).toContain('"route":"/v1/users/:productId/:userId/activity"');
    expect(text).toMatch(/WRONGTYPE/);
    for (const value of [canaryUser, canaryEmail, canaryText, data.slice(0, 24)]) {
      for (const encoded of encodings(value)) {
        const leaking = lines.filter((line) => line.includes(encoded));
        expect(leaking, `${encoded} in the logs`).toEqual([]);
      }
    }
  });
});
