import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { intercomFixturesDir } from './fixtures.js';

const sharedDir = fileURLToPath(new URL('../../../../shared/fixtures/intercom/', import.meta.url));

describe("the repository's copy of the shared Intercom fixtures", () => {
  it('holds the webhook fixtures the tests read', () => {
    expect(readdirSync(intercomFixturesDir).sort()).toEqual(
      expect.arrayContaining([
        'conversation.user.created.json',
        'conversation.user.replied.json',
        'ping.body',
        'conversation.admin.closed.json',
        'conversation.admin.opened.json',
        'conversation.admin.snoozed.json',
        'conversation.admin.unsnoozed.json',
        'conversation.deleted.json',
        'contact.merged.json',
        'contact.deleted.json',
      ]),
    );
  });

  it('is byte-identical to ../shared/fixtures/intercom when that folder exists', () => {
    const names = existsSync(sharedDir) ? readdirSync(sharedDir) : [];
    for (const name of names) {
      const shared = readFileSync(`${sharedDir}${name}`);
      expect(readFileSync(`${intercomFixturesDir}${name}`).equals(shared), name).toBe(true);
    }
  });
});
