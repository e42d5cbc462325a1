/**
 * Typed calls of the purchases endpoints (supplier invoices, expenses, attachments, Ecuador withholdings)
 * and of electronic invoicing (status of an invoice, retry, void, settings, certificate). Types come from
 * the generated `schema.d.ts`. Creating, editing and recording go through the outbox (`submitWrite`) in
 * the screens; uploads are online only (a file is not kept in the outbox).
 */
import type { components } from './schema';
import { api, API_PREFIX } from './http';
import type { Page, Query } from './resources';

type Schemas = components['schemas'];

export type PurchaseRow = Schemas['PurchaseListItem'];
export type PurchaseDocument = Schemas['PurchaseDocument'];
/** A request body: the generated schema marks fields that have a server default as present; they may be left out. */
type Body<T, Required extends keyof T> = Partial<T> & Pick<T, Required>;
export type PurchaseLineInput = Body<Schemas['PurchaseLineInput'], 'quantity' | 'unit_price'>;
export type SupplierInvoiceInput = Body<Omit<Schemas['SupplierInvoiceCreate'], 'lines'>, 'supplier_id' | 'supplier_number' | 'issue_date'> & {
  lines?: PurchaseLineInput[];
};
export type ExpenseInput = Body<Schemas['PurchaseExpenseCreate'], 'amount' | 'description' | 'issue_date'>;
export type PurchaseAttachment = Schemas['PurchaseAttachment'];
export type Withholding = Schemas['PurchaseWithholding'];
export type EInvoice = Schemas['DocumentEinvoice'];
export type EInvoicingSettings = Schemas['EinvoicingSettings'];
export type Certificate = Schemas['Certificate'];

/** Supplier invoices and expenses share list, detail, record and attachments. */
export type PurchaseKind = 'invoices' | 'expenses';

/** Statuses the list filter offers (PurchaseListQuery.status). */
export const PURCHASE_STATUSES = ['draft', 'recorded', 'partially_paid', 'paid', 'overdue'] as const;

const base = (kind: PurchaseKind) => `/purchases/${kind}`;

export const purchases = {
  list: (kind: PurchaseKind, query: Query) => api.get<Page<PurchaseRow>>(base(kind), { query }),
  get: (kind: PurchaseKind, id: string) => api.get<PurchaseDocument>(`${base(kind)}/${id}`),
  remove: (kind: PurchaseKind, id: string) => api.delete<void>(`${base(kind)}/${id}`),
  /** Full API path of a write, for the outbox. */
  path: (kind: PurchaseKind, id?: string, action?: string) =>
    `${API_PREFIX}${base(kind)}${id ? `/${id}` : ''}${action ? `/${action}` : ''}`,
  attachments: (kind: PurchaseKind, id: string) => api.get<PurchaseAttachment[]>(`${base(kind)}/${id}/attachments`),
  upload: (kind: PurchaseKind, id: string, file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return api.post<PurchaseAttachment>(`${base(kind)}/${id}/attachments`, form);
  },
  removeAttachment: (kind: PurchaseKind, id: string, attachmentId: string) =>
    api.delete<void>(`${base(kind)}/${id}/attachments/${attachmentId}`),
  /** A plain GET with the session cookie: the browser downloads the file. */
  attachmentUrl: (kind: PurchaseKind, id: string, attachmentId: string) =>
    `${API_PREFIX}${base(kind)}/${id}/attachments/${attachmentId}`,
};

export const withholdings = {
  list: (query: Query) => api.get<Page<Withholding>>('/purchases/withholdings', { query }),
  get: (id: string) => api.get<Withholding>(`/purchases/withholdings/${id}`),
};

/** The e-invoicing endpoints hang off the document: "/invoices/{id}" or "/purchases/withholdings/{id}". */
export const einvoiceBase = {
  invoice: (id: string) => `/invoices/${id}`,
  withholding: (id: string) => `/purchases/withholdings/${id}`,
};

export const einvoice = {
  get: (base: string) => api.get<EInvoice>(`${base}/einvoice`),
  retry: (base: string) => api.post<EInvoice>(`${base}/einvoice/retry`, {}),
  xmlUrl: (base: string) => `${API_PREFIX}${base}/einvoice/xml`,
  rideUrl: (base: string) => `${API_PREFIX}${base}/ride`,
  settings: () => api.get<EInvoicingSettings>('/einvoicing/settings'),
  saveSettings: (body: EInvoicingSettings) => api.patch<EInvoicingSettings>('/einvoicing/settings', body),
  certificate: () => api.get<Certificate>('/einvoicing/certificate'),
  uploadCertificate: (file: File, password: string) => {
    const form = new FormData();
    form.append('file', file, file.name);
    form.append('password', password);
    return api.post<Certificate>('/einvoicing/certificate', form);
  },
};
