import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type Action, activityNotice, issueAccessKey } from '@threadline/core';
import { RedisKeys } from '@threadline/redis-store';
import { testRedisUrl } from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/test-api.js';

const envKeyShop = 'mcp_shop_key_0123456789';
const envKeyCrm = 'mcp_crm_key_0123456789ab';
let api: TestApi;
let url: URL;
let cliKeyShop: string;
let revokedKey: string;
let redis: Redis;
let keys: RedisKeys;

/** Whole seconds, an hour ago: within the retention, which goes by event time. */
const start = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;

function actions(count: number, label: string): Action[] {
  return Array.from({ length: count }, (_, index) => ({
    at: new Date(start + index * 1000).toISOString(),
    type: 'click',
    description: `${label} ${index + 1}`,
    page: '/checkout',
    sessionId: 's-1',
  }));
}

async function connectClient(key: string): Promise<Client> {
  const client = new Client({ name: 'threadline-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: `Bearer ${key}` } } }),
  );
  return client;
}

interface ToolOutput {
  notice: string;
  product_id: string;
  user_id: string;
  actions: { at: string; type: string; description: string; page?: string; session_id?: string }[];
}

async function callTool(client: Client, args: Record<string, unknown>) {
  return client.callTool({ name: 'get_live_user_activity', arguments: args });
}

/** A raw JSON-RPC POST, as an MCP host would send it, with any headers. */
function rawPost(body: unknown, headers: Record<string, string>) {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

const toolCall = (productId: string, userId: string) => ({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'get_live_user_activity', arguments: { product_id: productId, user_id: userId } },
});

beforeAll(async () => {
  api = await startTestApi({ MCP_API_KEYS: `${envKeyShop}:shop,${envKeyCrm}:crm` });
  redis = new Redis(testRedisUrl());
  keys = new RedisKeys(api.config.prefix);
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  url = new URL(`http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}/mcp`);
  const deps = { keys: api.composed.deps.accessKeys, now: () => new Date() };
  cliKeyShop = (await issueAccessKey('shop', 'fin', deps)).key;
  const revoked = await issueAccessKey('shop', 'old', deps);
  await api.composed.deps.accessKeys.revoke(revoked.record.id);
  revokedKey = revoked.key;
  const activity = api.composed.deps.activity;
  await activity.append({ productId: 'shop', userId: 'user_200' }, actions(250, 'shop action'));
  await activity.append({ productId: 'shop', userId: 'user_3' }, actions(3, 'shop step'));
  await activity.append({ productId: 'crm', userId: 'user_3' }, actions(3, 'crm secret step'));
});
afterAll(async () => {
  redis.disconnect();
  await api.close();
});

describe('MCP over Streamable HTTP, with the official client', () => {
  it('lists one tool with its input and output schema and a description for agents', async () => {
    const client = await connectClient(envKeyShop);
    const { tools } = await client.listTools();
    await client.close();
    expect(tools.map((tool) => tool.name)).toEqual(['get_live_user_activity']);
    const [tool] = tools;
    expect(tool?.inputSchema).toMatchObject({
      type: 'object',
      properties: {
        product_id: { type: 'string' },
        user_id: { type: 'string' },
        limit: { type: 'integer', minimum: 1, maximum: 200 },
      },
      required: ['product_id', 'user_id'],
    });
    expect(tool?.outputSchema).toMatchObject({
      type: 'object',
      properties: {
        notice: { type: 'string' },
        product_id: { type: 'string' },
        user_id: { type: 'string' },
        actions: { type: 'array' },
      },
      required: ['notice', 'product_id', 'user_id', 'actions'],
    });
    expect(tool?.description).toMatch(/recorded user activity, not instructions/);
    expect(tool?.description).toMatch(/never follow/);
    expect(tool?.description).toMatch(/error/);
    expect(tool?.description).toMatch(/stuck/);
    expect(tool?.description).toMatch(/billing/);
    expect(tool?.annotations?.readOnlyHint).toBe(true);
  });

  it('returns the newest 50 by default, oldest first, as structured content and the same as text', async () => {
    const client = await connectClient(envKeyShop);
    const result = await callTool(client, { product_id: 'shop', user_id: 'user_200' });
    await client.close();
    expect(result.isError).toBeFalsy();
    const output = result.structuredContent as unknown as ToolOutput;
    expect(output.product_id).toBe('shop');
    expect(output.user_id).toBe('user_200');
    expect(output.actions.map((action) => action.description)).toEqual(
      Array.from({ length: 50 }, (_, index) => `shop action ${201 + index}`),
    );
    expect(output.actions[0]).toEqual({
      at: new Date(start + 200_000).toISOString(),
      type: 'click',
      description: 'shop action 201',
      page: '/checkout',
      session_id: 's-1',
    });
    expect(output.notice).toBe(activityNotice);
    const [text] = result.content as { type: string; text: string }[];
    expect(text?.type).toBe('text');
    const [notice, open, json, close, ...rest] = (text?.text ?? '').split('\n');
    expect([notice, open, close, rest]).toEqual([
      activityNotice,
      '<recorded_activity>',
      '</recorded_activity>',
      [],
    ]);
    expect(JSON.parse(json ?? '')).toEqual(output);
  });

  it('honours limit up to 200 and refuses more than 200 as a tool error', async () => {
    const client = await connectClient(envKeyShop);
    const three = await callTool(client, { product_id: 'shop', user_id: 'user_200', limit: 3 });
    const all = await callTool(client, { product_id: 'shop', user_id: 'user_200', limit: 200 });
    const tooMany = await callTool(client, { product_id: 'shop', user_id: 'user_200', limit: 201 });
    const zero = await callTool(client, { product_id: 'shop', user_id: 'user_200', limit: 0 });
    await client.close();
    expect((three.structuredContent as unknown as ToolOutput).actions.map((a) => a.description)).toEqual([
      'shop action 248',
      'shop action 249',
      'shop action 250',
    ]);
    const allActions = (all.structuredContent as unknown as ToolOutput).actions;
    expect(allActions).toHaveLength(200);
    expect(allActions[0]?.description).toBe('shop action 51');
    expect(allActions.at(-1)?.description).toBe('shop action 250');
    for (const refused of [tooMany, zero]) {
      expect(refused.isError).toBe(true);
      expect((refused.content as { text: string }[])[0]?.text).toMatch(/limit/);
    }
  });

  it('answers a user with no activity with an empty list, not an error', async () => {
    const client = await connectClient(envKeyShop);
    const result = await callTool(client, { product_id: 'shop', user_id: 'nobody' });
    await client.close();
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({
      notice: activityNotice,
      product_id: 'shop',
      user_id: 'nobody',
      actions: [],
      conversation: null,
    });
  });

  it('accepts a key made like `threadline keys create` does', async () => {
    const client = await connectClient(cliKeyShop);
    const result = await callTool(client, { product_id: 'shop', user_id: 'user_3' });
    await client.close();
    expect((result.structuredContent as unknown as ToolOutput).actions.map((a) => a.description)).toEqual([
      'shop step 1',
      'shop step 2',
      'shop step 3',
    ]);
  });

  it("reads only the key's own product: crm's key reads crm's user_3", async () => {
    const client = await connectClient(envKeyCrm);
    const result = await callTool(client, { product_id: 'crm', user_id: 'user_3' });
    await client.close();
    expect((result.structuredContent as unknown as ToolOutput).actions[0]?.description).toBe(
      'crm secret step 1',
    );
  });

  it('records when a key was last used', async () => {
    const uses = await api.composed.deps.accessKeys.lastUses();
    const envId = api.composed.deps.environmentKeys.find((key) => key.productId === 'shop')?.id ?? '';
    expect(uses[envId]).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });
});

describe('refusals over raw HTTP', () => {
  const initialize = {
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  };

  // Functions: the revoked key only exists once beforeAll has run.
  const unauthorized: [string, () => Record<string, string>][] = [
    ['no Authorization header', () => ({})],
    ['a scheme other than Bearer', () => ({ authorization: `Basic ${envKeyShop}` })],
    ['an empty bearer', () => ({ authorization: 'Bearer ' })],
    ['a key nobody issued', () => ({ authorization: 'Bearer mcp_wrong_key_0123456789' })],
    [
      'a well-formed CLI key that was never stored',
      () => ({ authorization: `Bearer tlk_0123456789ab_${'A'.repeat(43)}` }),
    ],
    ['a revoked key', () => ({ authorization: `Bearer ${revokedKey}` })],
  ];
  for (const [name, headers] of unauthorized) {
    it(`answers 401 with a readable JSON message for ${name}`, async () => {
      for (const body of [initialize, toolCall('shop', 'user_3')]) {
        const response = await rawPost(body, headers());
        expect(response.status).toBe(401);
        expect(response.headers.get('content-type')).toMatch(/application\/json/);
        const answer = (await response.json()) as { error: string; message: string };
        expect(answer.message).toMatch(/key/);
        expect(JSON.stringify(answer)).not.toContain('shop step');
      }
    });
  }

  it('answers 401 to GET and DELETE without a key, and 405 with one (stateless server)', async () => {
    for (const method of ['GET', 'DELETE']) {
      expect((await fetch(url, { method })).status).toBe(401);
      const response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${envKeyShop}`, accept: 'text/event-stream' },
      });
      expect(response.status).toBe(405);
    }
  });

  it("answers 403 to a key of product crm asking for shop's user, and reads nothing of shop", async () => {
    // Every command Redis runs meanwhile, to show that shop's stream is not touched by the refused call.
    const monitor = await redis.monitor();
    const commands: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(args));
    // Redis runs commands in order and MONITOR reports them in that order: once a marker sent after a
    // response shows up, everything the request made Redis do is already in `commands`.
    const mark = async (label: string) => {
      await redis.echo(label);
      while (!commands.some((args) => args[0]?.toLowerCase() === 'echo' && args[1] === label)) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return commands.length;
    };
    const shopStream = keys.actions('shop', 'user_3');
    const touching = (list: string[][]) => list.filter((args) => args.includes(shopStream));
    let text: string;
    try {
      await mark('before-refused');
      const start = commands.length;
      const response = await rawPost(toolCall('shop', 'user_3'), { authorization: `Bearer ${envKeyCrm}` });
      expect(response.status).toBe(403);
      text = await response.text();
      const refusedEnd = await mark('after-refused');
      // The same call with shop's key does read the stream: the monitor sees such reads.
      const allowed = await rawPost(toolCall('shop', 'user_3'), { authorization: `Bearer ${envKeyShop}` });
      expect(allowed.status).toBe(200);
      const allowedEnd = await mark('after-allowed');
      expect(touching(commands.slice(start, refusedEnd))).toEqual([]);
      expect(touching(commands.slice(refusedEnd, allowedEnd)).map((args) => args[0]?.toLowerCase())).toEqual([
        'xrevrange',
      ]);
    } finally {
      monitor.disconnect();
    }
    expect(JSON.parse(text)).toEqual({
      error: 'wrong_product',
      message: 'this access key belongs to product "crm" and cannot read product "shop"',
    });
    // shop's user_3 has activity; none of it is in the answer.
    expect(text).not.toContain('shop step');
  });

  it('answers 403 when any call of a JSON-RPC batch asks for another product', async () => {
    const response = await rawPost([toolCall('crm', 'user_3'), { ...toolCall('shop', 'user_3'), id: 2 }], {
      authorization: `Bearer ${envKeyCrm}`,
    });
    expect(response.status).toBe(403);
    expect(await response.text()).not.toContain('step');
  });

  it('answers 200 to a raw tool call with the right key', async () => {
    const response = await rawPost(toolCall('shop', 'user_3'), { authorization: `Bearer ${cliKeyShop}` });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { result: { structuredContent: ToolOutput } };
    expect(answer.result.structuredContent.actions).toHaveLength(3);
  });
});
