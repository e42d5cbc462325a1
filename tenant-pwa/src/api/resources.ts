/**
 * Typed calls to the domain endpoints (customers, suppliers, products, sales documents, series, users,
 * API tokens, dashboard). Types come from `schema.d.ts`, generated from the backend's /openapi.json, so a
 * backend change that renames a field the screens use fails `tsc`.
 */
import type { components } from './schema';
import { api, ApiError, API_PREFIX, send } from './http';

type Schemas = components['schemas'];

export type Customer = Schemas['Customer'];
export type CustomerInput = Schemas['CustomerCreate'];
export type Supplier = Schemas['Supplier'];
export type Product = Schemas['Product'];
export type ProductInput = Schemas['ProductCreate'];
export type DocumentRow = Schemas['DocumentListItem'];
export type SalesDocument = Schemas['Document'];
export type DocumentInput = Schemas['DocumentCreate'];
export type LineInput = Schemas['LineInput'];
export type Preview = Schemas['Preview'];
export type Series = Schemas['Series'];
export type SeriesInput = Schemas['SeriesCreate'];
export type TenantUser = Schemas['TenantUser'];
export type ApiToken = Schemas['ApiToken'];
export type ApiTokenInput = Schemas['ApiTokenCreate'];
export type InvitationInput = Schemas['InvitationCreate'];
export type CreditNoteInput = Schemas['CreditNoteCreate'];
export type Permission = ApiTokenInput['permissions'][number];

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
  pages: number;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

/** Party endpoints: customers and suppliers share their shape. */
export type PartyKind = 'customers' | 'suppliers';
export type Party = Customer | Supplier;

/** Sales documents: invoices (and their credit notes) and quotes. */
export type DocumentKind = 'invoices' | 'quotes';

/** Tax id types the API accepts per party country (crm/rules.py). */
export const TAX_ID_TYPES: Record<'ES' | 'EC', string[]> = {
  ES: ['nif', 'nie', 'cif', 'vat_eu', 'passport'],
  EC: ['cedula', 'ruc', 'passport', 'consumidor_final'],
};

/** Tax categories of a line or product (sales/schemas.py TAX_CATEGORIES). */
export const TAX_CATEGORIES = ['general', 'reducido', 'superreducido', 'cero', 'exento', 'no_objeto'] as const;

export const DOCUMENT_STATUSES = ['draft', 'issued', 'partially_paid', 'paid', 'overdue', 'rectified', 'converted'] as const;

/** The largest page the API serves (api/common.py MAX_PAGE_SIZE). */
export const MAX_PAGE_SIZE = 200;

export const parties = {
  list: (kind: PartyKind, query: Query) => api.get<Page<Party>>(`/${kind}`, { query }),
  get: (kind: PartyKind, id: string) => api.get<Party>(`/${kind}/${id}`),
  create: (kind: PartyKind, body: CustomerInput, idempotencyKey: string) =>
    api.post<Party>(`/${kind}`, body, { idempotencyKey }),
  update: (kind: PartyKind, id: string, body: Partial<CustomerInput> & { version: number }) =>
    api.patch<Party>(`/${kind}/${id}`, body),
};

export const products = {
  list: (query: Query) => api.get<Page<Product>>('/products', { query }),
  get: (id: string) => api.get<Product>(`/products/${id}`),
  create: (body: ProductInput, idempotencyKey: string) => api.post<Product>('/products', body, { idempotencyKey }),
  update: (id: string, body: Partial<ProductInput> & { version: number }) => api.patch<Product>(`/products/${id}`, body),
};

export const documents = {
  list: (kind: DocumentKind, query: Query) => api.get<Page<DocumentRow>>(`/${kind}`, { query }),
  get: (kind: DocumentKind, id: string) => api.get<SalesDocument>(`/${kind}/${id}`),
  create: (kind: DocumentKind, body: DocumentInput, idempotencyKey: string) =>
    api.post<SalesDocument>(`/${kind}`, body, { idempotencyKey }),
  update: (kind: DocumentKind, id: string, body: Partial<DocumentInput>) => api.patch<SalesDocument>(`/${kind}/${id}`, body),
  remove: (kind: DocumentKind, id: string) => api.delete<void>(`/${kind}/${id}`),
  /** Totals of an unsaved draft (same body as create). */
  preview: (body: DocumentInput, signal?: AbortSignal) =>
    api.post<Preview>('/invoices/preview', body, signal ? { signal } : undefined),
  issue: (id: string, idempotencyKey: string) => api.post<SalesDocument>(`/invoices/${id}/issue`, {}, { idempotencyKey }),
  creditNote: (id: string, body: CreditNoteInput, idempotencyKey: string) =>
    api.post<SalesDocument>(`/invoices/${id}/credit-notes`, body, { idempotencyKey }),
  convertQuote: (id: string, idempotencyKey: string) =>
    api.post<SalesDocument>(`/quotes/${id}/convert`, {}, { idempotencyKey }),
  /** The PDF is a plain GET with the session cookie (GET /api/v1/invoices/{id}/pdf, /quotes/{id}/pdf). */
  pdfUrl: (kind: DocumentKind, id: string) => `${API_PREFIX}/${kind}/${id}/pdf`,
};

export const series = {
  list: () => api.get<Page<Series>>('/series', { query: { page_size: MAX_PAGE_SIZE } }),
  create: (body: SeriesInput, idempotencyKey: string) => api.post<Series>('/series', body, { idempotencyKey }),
  update: (id: string, body: Partial<SeriesInput> & { version?: number }) => api.patch<Series>(`/series/${id}`, body),
};

export const users = {
  list: () => api.get<TenantUser[]>('/tenant/users'),
  invite: (body: InvitationInput, idempotencyKey: string) =>
    api.post<unknown>('/tenant/users/invitations', body, { idempotencyKey }),
};

export const apiTokens = {
  list: () => api.get<ApiToken[]>('/tenant/api-tokens'),
  create: (body: ApiTokenInput, idempotencyKey: string) => api.post<ApiToken>('/tenant/api-tokens', body, { idempotencyKey }),
  revoke: (id: string) => api.delete<void>(`/tenant/api-tokens/${id}`),
};

/**
 * The dashboard endpoint (`GET /api/v1/dashboard`) is being built separately: null when this backend
 * does not have it (404/405), so the screen falls back to KPIs computed from the invoices list.
 */
export async function fetchDashboard(): Promise<Record<string, unknown> | null> {
  try {
    return (await send<Record<string, unknown>>(`${API_PREFIX}/dashboard`, { method: 'GET' })).data;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 405)) return null;
    throw error;
  }
}
