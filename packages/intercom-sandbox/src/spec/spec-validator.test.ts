import { describe, expect, it } from 'vitest';
import { checkAgainstSpec } from './spec-validator.js';

const note = { message_type: 'note', type: 'admin', admin_id: '991267', body: '<p>hi</p>' };

describe('checkAgainstSpec', () => {
  it('accepts an admin note and a contact reply', () => {
    expect(checkAgainstSpec('reply_conversation_request', note)).toEqual({ valid: true });
    expect(
      checkAgainstSpec('reply_conversation_request', {
        message_type: 'comment',
        type: 'user',
        intercom_user_id: 'abc',
        body: 'hi',
      }),
    ).toEqual({ valid: true });
  });

  it('names the missing field of the branch the body was meant for', () => {
    const { admin_id: _adminId, ...withoutAdmin } = note;
    expect(checkAgainstSpec('reply_conversation_request', withoutAdmin)).toEqual({
      valid: false,
      violation: { code: 'parameter_not_found', field: 'admin_id', message: 'admin_id is required' },
    });
  });

  it('names an unknown enum value and lists the allowed ones', () => {
    const check = checkAgainstSpec('reply_conversation_request', { ...note, message_type: 'memo' });
    expect(check).toMatchObject({
      valid: false,
      violation: { code: 'parameter_invalid', field: 'message_type' },
    });
    expect(check.valid ? '' : check.violation.message).toBe(
      'message_type must be one of: comment, note, quick_reply',
    );
  });

  it('names a field of the wrong type', () => {
    const check = checkAgainstSpec('reply_conversation_request', { ...note, admin_id: 991267 });
    expect(check.valid ? '' : check.violation.message).toBe('admin_id must be of type string');
  });

  it('reads nested search queries, including nullable values', () => {
    const query = {
      operator: 'OR',
      value: [
        { field: 'external_id', operator: '=', value: 'user_1' },
        { field: 'email', operator: '=', value: null },
      ],
    };
    expect(checkAgainstSpec('contact_search_request', { query })).toEqual({ valid: true });
    const bad = checkAgainstSpec('contact_search_request', {
      query: { field: 'email', operator: '==', value: 'x' },
    });
    expect(bad.valid ? '' : bad.violation.field).toBe('query.operator');
  });

  it('throws for a schema the spec does not have', () => {
    expect(() => checkAgainstSpec('no_such_schema', {})).toThrow(/no_such_schema/);
  });
});
