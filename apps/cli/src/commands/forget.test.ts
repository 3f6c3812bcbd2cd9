import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, createHarness } from '../../test/cli-harness.js';

let harness: CliHarness;
beforeAll(async () => {
  harness = await createHarness('forget');
});
afterAll(async () => {
  await harness.close();
});

async function keysMentioning(text: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await harness.redis.scan(cursor, 'MATCH', `${harness.prefix}:*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys.filter((key) => key.includes(text)));
  } while (cursor !== '0');
  return found;
}

describe('threadline forget user', () => {
  it('erases the user, prints what went, and leaves no key of theirs', async () => {
    const user = { productId: 'shop', userId: 'gdpr-user-42' };
    await harness.activity.append(user, [
      { at: new Date().toISOString(), type: 'pageview', description: 'Viewed Billing (/billing)' },
      { at: new Date().toISOString(), type: 'click', description: 'Clicked "Pay" button on /billing' },
    ]);
    await harness.links.create(
      {
        conversationId: 'conv-gdpr',
        productId: 'shop',
        userId: user.userId,
        appId: null,
        sessionId: null,
        conversationCreatedAt: null,
        linkedAt: new Date().toISOString(),
        status: 'open',
      },
      null,
    );
    expect(await keysMentioning('gdpr-user-42')).not.toEqual([]);

    const result = await harness.run(['forget', 'user', 'shop', 'gdpr-user-42']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Erased user gdpr-user-42 of product shop');
    expect(result.stdout).toContain('2 actions');
    expect(result.stdout).toContain('1 conversation links with their delivery state (conv-gdpr)');
    expect(await keysMentioning('gdpr-user-42')).toEqual([]);
    expect(await keysMentioning('conv-gdpr')).toEqual([]);

    const again = await harness.run(['forget', 'user', 'shop', 'gdpr-user-42', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      productId: 'shop',
      userId: 'gdpr-user-42',
      actions: 0,
      keys: [],
    });
  });
});
