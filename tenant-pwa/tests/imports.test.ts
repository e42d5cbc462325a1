import { describe, expect, it } from 'vitest';
import { changedFields, errorMessages, wizardStep } from '../src/api/imports';

describe('wizardStep', () => {
  it('maps every batch state to the wizard step', () => {
    expect(
      (['created', 'ingested', 'validating', 'validated', 'promoting', 'promoted', 'rolled_back', 'failed'] as const).map(wizardStep),
    ).toEqual(['upload', 'map', 'validating', 'review', 'promoting', 'done', 'done', 'failed']);
    expect(wizardStep(undefined)).toBe('upload');
  });
});

describe('changedFields', () => {
  it('sends only what changed, trimmed, and null for an emptied field', () => {
    expect(changedFields({ tax_id: '12345678A', email: 'a@b.es', payment_terms_days: 30 }, { tax_id: ' 12345678Z ', email: '', payment_terms_days: '30' })).toEqual({
      tax_id: '12345678Z',
      email: null,
    });
  });

  it('treats a missing original as empty', () => {
    expect(changedFields(null, { legal_name: 'Olmo SL', phone: '  ' })).toEqual({ legal_name: 'Olmo SL' });
  });
});

describe('errorMessages', () => {
  it('reads the messages of coded errors and plain strings', () => {
    expect(errorMessages([{ code: 'invalid', message: 'Debe ser un número.' }, 'Obligatorio.'])).toEqual(['Debe ser un número.', 'Obligatorio.']);
    expect(errorMessages(undefined)).toEqual([]);
  });
});
