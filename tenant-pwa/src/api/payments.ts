/**
 * Typed calls of the payments endpoints: payments of an invoice (list, register a manual one), the
 * payment link, and the owner's payment provider accounts (secrets are write-only: the API returns only
 * their names); also the invoice e-mail and the company branding (PDF look and logo).
 */
import { api, API_PREFIX } from './http';
import type { components } from './schema';
import type { Page } from './resources';

export const MANUAL_METHODS = ['bank_transfer', 'cash', 'card_terminal'] as const;
export const PROVIDERS = ['stripe', 'payphone', 'kushki'] as const;
export type Provider = (typeof PROVIDERS)[number];

type Schemas = components['schemas'];

export type Payment = Schemas['Payment'];
/** A request body: fields with a server default may be left out. */
export type PaymentInput = Partial<Schemas['PaymentCreate']> & Pick<Schemas['PaymentCreate'], 'amount' | 'method'>;
export type PaymentLink = Schemas['PaymentLink'];
export type ProviderAccount = Schemas['ProviderAccount'];
export type Branding = Schemas['Branding'];
export type BrandingInput = Schemas['BrandingUpdate'];
export type SendInput = Partial<Schemas['SendDocument']> & Pick<Schemas['SendDocument'], 'to'>;

/** Per provider: the secrets it needs and the public settings it accepts (payments/credentials.py). */
export const PROVIDER_FIELDS: Record<Provider, { secrets: string[]; settings: string[] }> = {
  stripe: { secrets: ['api_key', 'webhook_secret'], settings: [] },
  payphone: { secrets: ['token'], settings: ['store_id'] },
  kushki: { secrets: ['private_merchant_id', 'webhook_signature'], settings: ['public_merchant_id'] },
};

export const payments = {
  /** Full API path of a payment registration, for the outbox. */
  path: (invoiceId: string) => `${API_PREFIX}/invoices/${invoiceId}/payments`,
  list: (invoiceId: string) => api.get<Page<Payment>>(`/invoices/${invoiceId}/payments`, { query: { page_size: 200 } }),
  openLink: (invoiceId: string) => api.get<{ url?: string | null }>(`/invoices/${invoiceId}/payment-link`),
  createLink: (invoiceId: string, provider: Provider | undefined, idempotencyKey: string) =>
    api.post<PaymentLink>(`/invoices/${invoiceId}/payment-link`, provider ? { provider } : {}, { idempotencyKey }),
  providers: () => api.get<{ items: ProviderAccount[] }>('/settings/payment-providers'),
  send: (invoiceId: string, body: SendInput, idempotencyKey: string) =>
    api.post<unknown>(`/invoices/${invoiceId}/send`, body, { idempotencyKey }),
  branding: () => api.get<Branding>('/settings/branding'),
  saveBranding: (body: BrandingInput) => api.put<Branding>('/settings/branding', body),
  uploadLogo: (file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return api.put<Branding>('/settings/branding/logo', form);
  },
  saveProvider: (body: { provider: Provider; secrets?: Record<string, string>; settings?: Record<string, string>; is_active?: boolean }) =>
    api.put<ProviderAccount>('/settings/payment-providers', body),
};

/**
 * The body of a provider save: secrets left empty are not sent (the server keeps the stored ones), and
 * only the settings the provider accepts.
 */
export function providerBody(provider: Provider, secrets: Record<string, string>, settings: Record<string, string>, isActive: boolean) {
  const fields = PROVIDER_FIELDS[provider];
  const filled = Object.fromEntries(fields.secrets.map((name) => [name, (secrets[name] ?? '').trim()]).filter(([, value]) => value));
  const kept = Object.fromEntries(fields.settings.map((name) => [name, (settings[name] ?? '').trim()]));
  return { provider, is_active: isActive, ...(Object.keys(filled).length ? { secrets: filled } : {}), ...(fields.settings.length ? { settings: kept } : {}) };
}
