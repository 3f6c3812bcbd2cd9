import { describe, expect, it } from 'vitest';
import { searchContacts } from './contact-search.js';
import { SandboxStore } from './sandbox-store.js';

function contacts() {
  const store = new SandboxStore({ type: 'admin', id: '1', name: 'A', email: 'a@example.com' }, 'app');
  const sam = store.createContact({ external_id: 'user_1', email: 'sam@example.com', name: 'Sam' });
  const lee = store.createContact({ external_id: 'user_2', email: 'lee@example.com', name: 'Lee' });
  const lead = store.createContact({ email: 'lead@example.com' });
  return { all: store.allContacts(), sam, lee, lead };
}

describe('searchContacts', () => {
  it('matches one field with =', () => {
    const { all, lee } = contacts();
    const result = searchContacts(all, { field: 'external_id', operator: '=', value: 'user_2' });
    expect(result).toEqual({ ok: true, contacts: [lee] });
  });

  it('combines nested AND / OR filters', () => {
    const { all, sam, lead } = contacts();
    const result = searchContacts(all, {
      operator: 'OR',
      value: [
        {
          operator: 'AND',
          value: [
            { field: 'role', operator: '=', value: 'user' },
            { field: 'name', operator: '^', value: 's' },
          ],
        },
        { field: 'external_id', operator: '=', value: null },
      ],
    });
    expect(result.ok && result.contacts.map((contact) => contact.id)).toEqual([sam.id, lead.id]);
  });

  it('reports an operator it cannot run', () => {
    const { all } = contacts();
    expect(searchContacts(all, { field: 'email', operator: '??', value: 'x' })).toMatchObject({ ok: false });
  });
});
