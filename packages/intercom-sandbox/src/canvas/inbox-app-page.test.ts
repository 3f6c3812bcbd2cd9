import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntercomSandbox, type IntercomSandbox } from '../create-intercom-sandbox.js';

const secret = 'page_test_client_secret';
let sandbox: IntercomSandbox;
let app: Server;
let appUrl: string;
let answer: unknown;
const signatures: { valid: boolean; path: string; externalId: unknown }[] = [];

beforeAll(async () => {
  sandbox = await createIntercomSandbox({ token: 'page-token' });
  await sandbox.listen();
  // An Inbox app on this machine: it checks the signature as Threadline does and answers `answer`.
  app = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      if (request.url?.startsWith('/intercom/canvas/')) {
        const expected = createHmac('sha256', secret).update(body).digest('hex');
        signatures.push({
          valid: request.headers['x-body-signature'] === expected,
          path: request.url,
          externalId: JSON.parse(body).contact?.external_id,
        });
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        return;
      }
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const address = app.address();
  appUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await sandbox.close();
  await new Promise((resolve) => app.close(resolve));
});

async function openConversation(externalId: string): Promise<string> {
  const response = await fetch(`${sandbox.url()}/_sandbox/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      external_id: externalId,
      body: 'It failed',
      webhook: { url: `${appUrl}/webhooks/intercom`, clientSecret: secret },
    }),
  });
  return ((await response.json()) as { conversation: { id: string } }).conversation.id;
}

describe('the sandbox page with an Inbox app', () => {
  it('asks the app for each conversation, signed, and shows its canvas beside it; Refresh sends a submit', async () => {
    answer = {
      canvas: {
        content: {
          components: [
            { type: 'text', text: 'Recent activity', style: 'header' },
            {
              type: 'data-table',
              items: [{ type: 'field-value', field: '10:00:00 UTC', value: 'Clicked <Pay>' }],
            },
            { type: 'button', id: 'threadline-refresh', label: 'Refresh', action: { type: 'submit' } },
          ],
        },
      },
    };
    const id = await openConversation('user_page_1');
    const page = await (await fetch(`${sandbox.url()}/?conversation=${id}`)).text();
    expect(page).toContain('id="conversation-apps"');
    const panel = await (await fetch(`${sandbox.url()}/_sandbox/conversations/${id}/canvas`)).text();
    expect(panel).toContain(`data-canvas-conversation="${id}"`);
    expect(panel).toContain('Clicked &lt;Pay&gt;');
    expect(signatures.at(-1)).toEqual({
      valid: true,
      path: '/intercom/canvas/initialize',
      externalId: 'user_page_1',
    });
    const submitted = await fetch(`${sandbox.url()}/_sandbox/conversations/${id}/canvas/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'component_id=threadline-refresh',
      redirect: 'manual',
    });
    expect(submitted.status).toBe(303);
    expect(submitted.headers.get('location')).toBe(`/?conversation=${id}`);
    expect(signatures.at(-1)).toMatchObject({ valid: true, path: '/intercom/canvas/submit' });
    // The page's script asks for the answer itself and puts it in the apps column.
    const fragment = await fetch(`${sandbox.url()}/_sandbox/conversations/${id}/canvas/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-sandbox-fragment': '1' },
      body: 'component_id=threadline-refresh',
    });
    expect(fragment.status).toBe(200);
    expect(await fragment.text()).toContain(`data-canvas-conversation="${id}"`);
  });

  it('shows what is wrong when the app answers outside the documented shapes', async () => {
    answer = { canvas: { content: { components: [{ type: 'markdown', text: '**hi**' }] } } };
    const id = await openConversation('user_page_2');
    const panel = await (await fetch(`${sandbox.url()}/_sandbox/conversations/${id}/canvas`)).text();
    expect(panel).toContain(`data-canvas-conversation="${id}"`);
    expect(panel).toContain('canvas-problem');
  });
});
