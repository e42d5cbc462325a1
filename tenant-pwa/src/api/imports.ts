/**
 * Typed calls of the import endpoints (`/api/v1/imports`): batches of customers, suppliers or products —
 * create, upload a CSV/XLSX, map columns, validate (a job: poll the batch's `progress`), fix invalid rows
 * in place (each fix is revalidated at once), promote (a job), lineage and undo.
 */
import { api, API_PREFIX } from './http';
import type { components } from './schema';
import type { Page, Query } from './resources';

type Schemas = components['schemas'];

export type ImportKind = Schemas['BatchCreate']['kind'];
export type BatchState = NonNullable<Schemas['BatchDetail']['state']>;
export type ItemStatus = NonNullable<Schemas['Item']['status']>;

/** The batch (generated type) with its loosely typed maps narrowed to what the API documents. */
export type ImportBatch = Omit<Schemas['BatchDetail'], 'kind' | 'state' | 'mapping' | 'counts' | 'headers'> & {
  id: string;
  kind: ImportKind;
  state: BatchState;
  headers?: string[] | null;
  mapping?: Record<string, string | null> | null;
  counts?: Record<string, number>;
};

/** One error of a field: a stable code and the domain's Spanish message. */
export interface ItemError {
  code?: string;
  message: string;
}

export type ImportItem = Omit<Schemas['Item'], 'id' | 'row_number' | 'status' | 'data' | 'errors'> & {
  id: string;
  row_number: number;
  status: ItemStatus;
  data?: Record<string, unknown> | null;
  errors?: Record<string, ItemError[]>;
};

/** The messages of a field's errors (plain strings are accepted too). */
export function errorMessages(errors: readonly (ItemError | string)[] | undefined): string[] {
  return (errors ?? []).map((error) => (typeof error === 'string' ? error : error.message));
}

export type LineageRow = Schemas['Lineage'] & { item_id: string; entity_type: string; entity_id: string; action: string };

/** Target fields of each kind (gestiq_app/imports/mapping.py FIELDS_BY_KIND), for the column mapping. */
const PARTY_FIELDS = [
  'legal_name', 'trade_name', 'tax_id', 'tax_id_type', 'country', 'email', 'phone', 'address.street', 'address.city',
  'address.postal_code', 'address.province', 'address.country', 'payment_terms_days', 'notes', 'is_active', 'tags',
];
const INVOICE_LINE_FIELDS = [
  'number', 'issue_date', 'due_date', 'sku', 'description', 'quantity', 'unit_price', 'discount_percent', 'tax_category', 'tax_rate',
  'amount_paid',
];
export const IMPORT_FIELDS: Record<ImportKind, string[]> = {
  customers: PARTY_FIELDS,
  suppliers: PARTY_FIELDS,
  products: ['sku', 'name', 'description', 'kind', 'unit', 'unit_price', 'cost', 'tax_category', 'tax_rate', 'barcode', 'category', 'is_active'],
  // Read from the PDF or image (OCR), fixed by hand on review; there is no column mapping for documents.
  documents: ['document_type', 'supplier_tax_id', 'number', 'issue_date', 'base', 'tax', 'total'],
  // One account's opening balance (debit/credit or a signed balance); the batch becomes one journal entry.
  opening_balances: ['account_code', 'account_name', 'debit', 'credit', 'balance', 'party_tax_id'],
  // One row per invoice line; rows with the same number (and supplier) are one invoice.
  invoices: [...INVOICE_LINE_FIELDS.slice(0, 3), 'customer_tax_id', ...INVOICE_LINE_FIELDS.slice(3)],
  supplier_invoices: [...INVOICE_LINE_FIELDS.slice(0, 3), 'supplier_tax_id', ...INVOICE_LINE_FIELDS.slice(3)],
};

/** States in which a background job is running: keep polling. */
export const RUNNING_STATES: readonly BatchState[] = ['validating', 'promoting'];

const batch = (id: string) => `/imports/batches/${id}`;

export const imports = {
  list: (query: Query) => api.get<Page<ImportBatch>>('/imports/batches', { query }),
  create: (body: { kind: ImportKind; source_name?: string }, idempotencyKey: string) =>
    api.post<ImportBatch>('/imports/batches', body, { idempotencyKey }),
  get: (id: string) => api.get<ImportBatch>(batch(id)),
  upload: (id: string, file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return api.post<ImportBatch>(`${batch(id)}/upload`, form);
  },
  setMapping: (id: string, mapping: Record<string, string | null>) => api.patch<ImportBatch>(batch(id), { mapping }),
  validate: (id: string) => api.post<ImportBatch>(`${batch(id)}/validate`, {}),
  promote: (id: string) => api.post<ImportBatch>(`${batch(id)}/promote`, {}),
  rollback: (id: string) => api.post<ImportBatch>(`${batch(id)}/rollback`, {}),
  items: (id: string, query: Query) => api.get<Page<ImportItem>>(`${batch(id)}/items`, { query }),
  fixItem: (id: string, itemId: string, data: Record<string, unknown>) => api.patch<ImportItem>(`${batch(id)}/items/${itemId}`, { data }),
  lineage: (id: string, query: Query) => api.get<Page<LineageRow>>(`${batch(id)}/lineage`, { query }),
  errorsCsvUrl: (id: string) => `${API_PREFIX}${batch(id)}/errors.csv`,
};

/**
 * The wizard step a batch is at: upload (no data), map (data, not validated), validating, review (validated:
 * fix invalid rows, promote), promoting, done (promoted or undone), failed.
 */
export type WizardStep = 'upload' | 'map' | 'validating' | 'review' | 'promoting' | 'done' | 'failed';

export function wizardStep(batchState: BatchState | null | undefined): WizardStep {
  switch (batchState) {
    case undefined:
    case null:
    case 'created':
      return 'upload';
    case 'ingested':
      return 'map';
    case 'validating':
      return 'validating';
    case 'validated':
      return 'review';
    case 'promoting':
      return 'promoting';
    case 'promoted':
    case 'rolled_back':
      return 'done';
    default:
      return 'failed';
  }
}

/**
 * The values to send when fixing a row: only the fields the user changed, trimmed; an emptied field is
 * null (the API removes it). Values are compared as text.
 */
export function changedFields(original: Record<string, unknown> | null | undefined, edited: Record<string, string>): Record<string, string | null> {
  const changes: Record<string, string | null> = {};
  for (const [field, value] of Object.entries(edited)) {
    const before = original?.[field];
    const beforeText = before === null || before === undefined ? '' : String(before);
    const after = value.trim();
    if (after !== beforeText) changes[field] = after === '' ? null : after;
  }
  return changes;
}
