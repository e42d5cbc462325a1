import { describe, expect, it } from 'vitest';
import { providerBody } from '../src/api/payments';

describe('providerBody', () => {
  it('sends only the secrets typed (empty ones are kept by the server) and the accepted settings', () => {
    expect(providerBody('kushki', { private_merchant_id: ' pm-1 ', webhook_signature: '' }, { public_merchant_id: 'pub-9', other: 'x' }, true)).toEqual({
      provider: 'kushki',
      is_active: true,
      secrets: { private_merchant_id: 'pm-1' },
      settings: { public_merchant_id: 'pub-9' },
    });
  });

  it('leaves secrets out entirely when none was typed, and settings when the provider has none', () => {
    expect(providerBody('stripe', { api_key: '', stranger: 'x' }, {}, false)).toEqual({ provider: 'stripe', is_active: false });
  });
});
