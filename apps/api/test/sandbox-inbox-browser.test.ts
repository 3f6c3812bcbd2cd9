import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createIntercomSandbox, type IntercomSandbox } from '@threadline/intercom-sandbox';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchHeadlessChromium } from './headless-chromium.js';

/** Where browser tests leave what a person may want to look at (git-ignored). */
const artifacts = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));
const token = 'inbox-browser-token';
let sandbox: IntercomSandbox;
let sandboxUrl: string;
let browser: Browser;

/** A note as Threadline writes it: notice, numbered lines, a pause, the reference footer. */
function threadlineNote(conversationId: string, first: number, lines: string[], withPause = false): string {
  const numbered = lines.map((line, index) => `<p>[${first + index}] ${line}</p>`);
  if (withPause) numbered.splice(1, 0, '<p><br></p>');
  const last = first + lines.length - 1;
  return `<p><i>What the user did in the product (written by Threadline)</i></p>${numbered.join('')}<p><i>Threadline · tl-${conversationId}-${first}-${last}</i></p>`;
}

async function postNote(conversationId: string, body: string): Promise<void> {
  const response = await fetch(`${sandboxUrl}/conversations/${conversationId}/reply`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message_type: 'note', type: 'admin', admin_id: '991267', body }),
  });
  expect(response.status).toBe(200);
}

beforeAll(async () => {
  sandbox = await createIntercomSandbox({ token });
  sandboxUrl = await sandbox.listen();
  browser = await launchHeadlessChromium();
});
afterAll(async () => {
  await browser?.close();
  await sandbox.close();
});

describe('the sandbox inbox in headless Chromium', () => {
  it('shows names, Threadline notes as internal notes with their pause, and updates live without a reload', async () => {
    const earlier = sandbox.createConversation({
      contactId: sandbox.createContact({ external_id: 'user_77', name: 'Ana Lima' }).id,
      body: 'Where is my invoice?',
    });
    const contact = sandbox.createContact({
      external_id: 'user_8812',
      name: 'Sam Rivera',
      email: 'sam@example.com',
    });
    const conversation = sandbox.createConversation({
      contactId: contact.id,
      body: "I can't change my plan",
    });
    await postNote(
      conversation.id,
      threadlineNote(
        conversation.id,
        1,
        [
          'Viewed Pricing (/pricing)',
          'Viewed Billing (/billing)',
          'Saw an error on /billing: PaymentError: "Card validation failed"',
        ],
        true,
      ),
    );

    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    await page.goto(`${sandboxUrl}/`);
    expect(await page.locator('.thread-header .contact-name').textContent()).toBe('Sam Rivera');
    expect(await page.locator('.conversation-list .contact-name').allTextContents()).toEqual([
      'Sam Rivera',
      'Ana Lima',
    ]);
    expect(await page.locator('.part.note .note-label').first().textContent()).toBe(
      'Internal note · Threadline',
    );
    expect(await page.locator('.part.note [data-pause-break]').count()).toBe(1);
    expect(await page.locator('.part.note .reference').first().textContent()).toBe(
      `tl-${conversation.id}-1-3`,
    );

    // A marker that a reload would wipe: the next note must arrive with it still there. (Scripts for
    // the page are strings: this file is typed for Node, without the DOM.)
    await page.evaluate('globalThis.loadedOnce = true');
    await postNote(
      conversation.id,
      threadlineNote(conversation.id, 4, ['Clicked "Update card" button on /settings/payment']),
    );
    await page.locator('.part.note').nth(1).waitFor({ timeout: 10_000 });
    expect(await page.evaluate('globalThis.loadedOnce')).toBe(true);

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}sandbox-inbox.png` });

    // Choosing another conversation swaps the thread in place and tells the apps column.
    await page.evaluate(
      `document.getElementById('conversation-apps').addEventListener('sandbox:conversation-selected', (event) => { globalThis.appsSaw = event.detail.conversationId; })`,
    );
    await page.locator(`.conversation-list a[data-conversation-id="${earlier.id}"]`).click();
    await page.waitForFunction(`globalThis.appsSaw === ${JSON.stringify(earlier.id)}`, undefined, {
      timeout: 10_000,
    });
    expect(await page.locator('.thread-header .contact-name').textContent()).toBe('Ana Lima');
    expect(await page.locator('#conversation-apps').getAttribute('data-conversation-id')).toBe(earlier.id);
    expect(page.url()).toContain(`?conversation=${earlier.id}`);
    expect(await page.evaluate('globalThis.loadedOnce')).toBe(true);
    await page.close();
  });
});
