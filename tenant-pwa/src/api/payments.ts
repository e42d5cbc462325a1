/**
 * Typed calls of the payments endpoints: payments of an invoice (list, register a manual one), the
 * payment link, and the owner's payment provider accounts (secrets are write-only: the API returns only
 * their names).
 */
import { api, API_PREFIX } from './http';
import type { Page } from './resources';

export const MANUAL_METHODS = ['bank_transfer', 'cash', 'card_terminal'] as const;
export const PROVIDERS = ['stripe', 'payphone', 'kushki'] as const;
export type Provider = (typeof PROVIDERS)[number];

export interface Payment {
  id: string;
  document_id?: string | null;
  method: string;
  amount: string;
  applied_amount?: string;
  credit_amount?: string;
  amount_refunded?: string;
  currency: string;
  paid_on: string;
  reference?: string | null;
  notes?: string | null;
  created_at?: string;
}

export interface PaymentInput {
  amount: string;
  method: (typeof MANUAL_METHODS)[number];
  paid_on?: string;
  reference?: string;
  notes?: string;
}

export interface PaymentLink {
  id?: string;
  provider?: string;
  url?: string | null;
  amount?: string;
  currency?: string;
  state?: string;
}

export interface ProviderAccount {
  id?: string;
  provider: Provider;
  is_active: boolean;
  secret_names: string[];
  settings: Record<string, string>;
  webhook_path?: string;
  updated_at?: string;
}

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
