/**
 * Sales documents: invoices (with their credit notes) and quotes. List with filters, the draft editor
 * with live totals from POST /invoices/preview (debounced), the detail with issue, PDF, credit note and
 * quote conversion. Drafts and issuing work offline through the outbox.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, API_PREFIX, NetworkError } from '../../api/http';
import {
  documents,
  DOCUMENT_STATUSES,
  parties,
  products as productsApi,
  TAX_CATEGORIES,
  type DocumentInput,
  type DocumentKind,
  type DocumentRow,
  type Party,
  type Preview,
  type Product,
  type SalesDocument,
} from '../../api/resources';
import type { CachedRecord, ReadCache } from '../../offline/cache';
import { loadList, pendingCreates, submitWrite, TEMP_ID_PREFIX, type ListResult, type PendingRecord } from '../../offline/sync';
import { Link, navigate } from '../../router';
import { Field, FormAlert, toFormProblem, type FormProblem } from '../forms';
import { useI18n } from '../i18n-context';
import { can, DateField, Flash, OfflineNote, PageHeader, Pager, PendingBadge, SelectField, setFlash, SortHeader, TextAreaField, useDebounced } from '../kit';
import { useOffline } from '../offline-context';
import { useUser } from '../user-context';
import { EInvoicePanel, VoidForm } from './EInvoicing';
import { InvoicePayments, SendInvoiceForm } from './Payments';

type Row = DocumentRow & CachedRecord;

/**
 * Load a full document from the server (and keep it on the device), or, when the server cannot be
 * reached, the copy kept on the device (drafts are downloaded by the background sync).
 */
async function loadDocument(kind: DocumentKind, id: string, cache: ReadCache | null): Promise<{ doc: SalesDocument; offline: boolean }> {
  try {
    const doc = await documents.get(kind, id);
    if (kind === 'invoices') await cache?.putDocument(doc as unknown as CachedRecord).catch(() => undefined);
    return { doc, offline: false };
  } catch (error) {
    const copy = error instanceof NetworkError && kind === 'invoices' ? await cache?.getDocument(id) : undefined;
    if (!copy) throw error;
    return { doc: copy as unknown as SalesDocument, offline: true };
  }
}

function StatusBadge({ status }: { status: string }) {
  const i18n = useI18n();
  return <span class={`badge badge--status-${status}`}>{i18n.t(`status.doc.${status}` as 'status.doc.draft')}</span>;
}

export function DocumentsPage({ kind }: { kind: DocumentKind }) {
  const i18n = useI18n();
  const user = useUser();
  const { cache, outbox, counts } = useOffline();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState('');
  const [customerId, setCustomerId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [sort, setSort] = useState('-issue_date');
  const [page, setPage] = useState(1);
  const [result, setResult] = useState<ListResult<Row> | null>(null);
  const [pending, setPending] = useState<PendingRecord[]>([]);
  const [issuing, setIssuing] = useState<Set<string>>(new Set());
  const [customers, setCustomers] = useState<Party[]>([]);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const search = useDebounced(q, 300);

  useEffect(() => {
    loadList<Party & CachedRecord>(
      () => parties.list('customers', { page_size: 200, sort: 'legal_name' }) as Promise<ListResult<Party & CachedRecord>>,
      cache,
      'customers',
      { pageSize: 200, sort: 'legal_name', searchFields: [] },
    ).then((loaded) => setCustomers(loaded.items), () => setCustomers([]));
  }, [cache]);
  const [pendingCustomers, setPendingCustomers] = useState<PendingRecord[]>([]);
  useEffect(() => {
    if (outbox) pendingCreates(outbox, `${API_PREFIX}/customers`).then(setPendingCustomers, () => setPendingCustomers([]));
  }, [outbox, counts.pending, counts.failed]);

  useEffect(() => setPage(1), [search, status, customerId, from, to, sort]);
  useEffect(() => {
    let cancelled = false;
    const query = {
      q: search || undefined,
      status: status || undefined,
      customer_id: customerId || undefined,
      issue_date_from: from || undefined,
      issue_date_to: to || undefined,
      sort,
      page,
      page_size: 25,
    };
    loadList<Row>(() => documents.list(kind, query) as Promise<ListResult<Row>>, kind === 'invoices' ? cache : null, 'invoices', {
      q: search,
      sort,
      page,
      pageSize: 25,
      searchFields: ['full_number', 'customer_name'],
      filters: { status: status ? [status] : undefined, customer_id: customerId ? [customerId] : undefined },
      dateField: 'issue_date',
      dateFrom: from,
      dateTo: to,
    }).then(
      (loaded) => !cancelled && (setResult(loaded), setProblem(null)),
      (error) => !cancelled && setProblem(toFormProblem(error, i18n)),
    );
    return () => {
      cancelled = true;
    };
  }, [kind, search, status, customerId, from, to, sort, page, cache, counts.pending, counts.failed]);

  useEffect(() => {
    if (!outbox) return;
    pendingCreates(outbox, `${API_PREFIX}/${kind}`).then(setPending, () => setPending([]));
    // Documents with an issue queued (created offline, or existing drafts), to say so in the list.
    outbox.list().then(
      (entries) =>
        setIssuing(
          new Set(
            entries
              .filter((entry) => entry.state !== 'done' && /\/issue$/.test(entry.path))
              .map((entry) => entry.path.split('/').at(-2) ?? ''),
          ),
        ),
      () => setIssuing(new Set()),
    );
  }, [outbox, kind, counts.pending, counts.failed]);

  const customerName = (id: unknown) =>
    customers.find((c) => c.id === id)?.legal_name ?? String(pendingCustomers.find((c) => c.id === id)?.legal_name ?? '');
  return (
    <section class="page">
      <PageHeader title={i18n.t(kind === 'invoices' ? 'nav.invoices' : 'nav.quotes')}>
        <Link to={`/${kind}/new`} class="button button--primary">
          {i18n.t(kind === 'invoices' ? 'doc.newInvoice' : 'doc.newQuote')}
        </Link>
      </PageHeader>
      <Flash />
      <FormAlert problem={problem} />
      {result?.offline && <OfflineNote syncedAt={result.syncedAt} />}
      <div class="toolbar">
        <Field id="doc-search" type="search" label={i18n.t('list.search')} value={q} onValue={setQ} />
        <SelectField
          id="doc-status"
          label={i18n.t('doc.status')}
          value={status}
          onValue={setStatus}
          options={[{ value: '', label: i18n.t('list.all') }, ...DOCUMENT_STATUSES.map((value) => ({ value, label: i18n.t(`status.doc.${value}`) }))]}
        />
        <SelectField
          id="doc-customer"
          label={i18n.t('doc.customer')}
          value={customerId}
          onValue={setCustomerId}
          options={[{ value: '', label: i18n.t('list.all') }, ...customers.map((c) => ({ value: c.id ?? '', label: c.legal_name ?? '' }))]}
        />
        <DateField id="doc-from" label={i18n.t('doc.from')} value={from} onValue={setFrom} />
        <DateField id="doc-to" label={i18n.t('doc.to')} value={to} onValue={setTo} />
      </div>
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <SortHeader label={i18n.t('doc.number')} field="number" sort={sort} onSort={setSort} />
              <SortHeader label={i18n.t('doc.issueDate')} field="issue_date" sort={sort} onSort={setSort} />
              <SortHeader label={i18n.t('doc.customer')} field="customer_name" sort={sort} onSort={setSort} />
              <SortHeader label={i18n.t('doc.total')} field="total" sort={sort} onSort={setSort} />
              <th scope="col">{i18n.t('doc.status')}</th>
            </tr>
          </thead>
          <tbody>
            {pending.map((row) => (
              <tr key={row.id} class="row--pending">
                <td>{i18n.t(issuing.has(row.id) ? 'doc.issueOffline' : 'doc.draftOffline')}</td>
                <td>{typeof row.issue_date === 'string' ? i18n.date(row.issue_date) : ''}</td>
                <td>{customerName(row.customer_id) || row._label || ''}</td>
                <td class="num">—</td>
                <td>
                  <PendingBadge state={row._pending} />
                </td>
              </tr>
            ))}
            {result?.items.map((row) => (
              <tr key={row.id}>
                <td>
                  <Link to={`/${kind}/${row.id}`}>{row.full_number ?? i18n.t(row.kind === 'credit_note' ? 'doc.creditNoteDraft' : 'doc.draft')}</Link>
                </td>
                <td>{row.issue_date ? i18n.date(row.issue_date) : ''}</td>
                <td>{row.customer_name}</td>
                <td class="num">{row.pending_change ? '—' : row.total ? i18n.money(row.total, row.currency ?? user.tenant.currency) : ''}</td>
                <td>
                  <StatusBadge status={row.status ?? 'draft'} />
                  {row.pending_change === true && <PendingBadge state="pending" />}
                  {issuing.has(row.id) && <span class="badge badge--pending">{i18n.t('doc.issueQueuedBadge')}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {result && result.total === 0 && pending.length === 0 && <p class="empty">{i18n.t('list.empty')}</p>}
      {result && <Pager page={result.page} pages={result.pages} total={result.total} onPage={setPage} />}
    </section>
  );
}

interface LineState {
  key: number;
  product_id: string;
  description: string;
  quantity: string;
  unit_price: string;
  discount_percent: string;
  tax_category: string;
}

let lineKeys = 0;
function emptyLine(): LineState {
  lineKeys += 1;
  return { key: lineKeys, product_id: '', description: '', quantity: '1', unit_price: '', discount_percent: '', tax_category: 'general' };
}

/** Build the API body of a draft from the editor state; lines that are completely empty are left out. */
export function draftBody(
  state: { customer_id: string; issue_date: string; due_date: string; notes: string; lines: LineState[] },
  parse: (text: string) => string | null,
): { body: DocumentInput; errors: Record<string, string[]> } {
  const errors: Record<string, string[]> = {};
  const lines = state.lines
    .filter((line) => line.product_id || line.description.trim() || line.unit_price.trim())
    .map((line, index) => {
      const out: Record<string, unknown> = {};
      if (line.product_id) out.product_id = line.product_id;
      if (line.description.trim()) out.description = line.description.trim();
      const quantity = parse(line.quantity);
      if (quantity === null) errors[`lines.${index}.quantity`] = ['invalid'];
      out.quantity = quantity ?? line.quantity;
      if (line.unit_price.trim()) {
        const price = parse(line.unit_price);
        if (price === null) errors[`lines.${index}.unit_price`] = ['invalid'];
        out.unit_price = price ?? line.unit_price;
      }
      if (line.discount_percent.trim()) {
        const discount = parse(line.discount_percent);
        if (discount === null) errors[`lines.${index}.discount_percent`] = ['invalid'];
        out.discount_percent = discount ?? line.discount_percent;
      }
      if (line.tax_category) out.tax_category = line.tax_category;
      return out;
    });
  const body: Record<string, unknown> = { customer_id: state.customer_id, lines };
  if (state.issue_date) body.issue_date = state.issue_date;
  if (state.due_date) body.due_date = state.due_date;
  if (state.notes.trim()) body.notes = state.notes.trim();
  return { body: body as unknown as DocumentInput, errors };
}

export function DocumentEditor({ kind, id }: { kind: DocumentKind; id?: string }) {
  const i18n = useI18n();
  const user = useUser();
  const { outbox, cache, counts } = useOffline();
  const [customers, setCustomers] = useState<{ id: string; name: string; pending?: boolean }[]>([]);
  const [catalog, setCatalog] = useState<Product[]>([]);
  const [existing, setExisting] = useState<SalesDocument | null>(null);
  const [customerId, setCustomerId] = useState('');
  const [issueDate, setIssueDate] = useState('');
  const [dueDate, setDueDate] = useState('');
  const [notes, setNotes] = useState('');
  const [lines, setLines] = useState<LineState[]>(() => [emptyLine()]);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewState, setPreviewState] = useState<'idle' | 'loading' | 'offline' | 'error'>('idle');
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const local = { pageSize: 200, searchFields: [] };
    Promise.all([
      loadList<Party & CachedRecord>(() => parties.list('customers', { page_size: 200, sort: 'legal_name' }) as Promise<ListResult<Party & CachedRecord>>, cache, 'customers', { ...local, sort: 'legal_name' }),
      outbox ? pendingCreates(outbox, `${API_PREFIX}/customers`) : Promise.resolve([]),
    ]).then(
      ([loaded, pendingCustomers]) =>
        setCustomers([
          ...pendingCustomers.map((c) => ({ id: c.id, name: String(c.legal_name ?? ''), pending: true })),
          ...loaded.items.map((c) => ({ id: c.id, name: c.legal_name ?? '' })),
        ]),
      () => setCustomers([]),
    );
    loadList<Product & CachedRecord>(() => productsApi.list({ page_size: 200, sort: 'name', is_active: true }) as Promise<ListResult<Product & CachedRecord>>, cache, 'products', { ...local, sort: 'name' }).then(
      (loaded) => setCatalog(loaded.items),
      () => setCatalog([]),
    );
  }, [cache, outbox, counts.pending]);

  const [offlineCopy, setOfflineCopy] = useState(false);
  useEffect(() => {
    if (!id) return;
    loadDocument(kind, id, cache).then(
      ({ doc, offline }) => {
        setOfflineCopy(offline);
        setExisting(doc);
        setCustomerId(doc.customer_id ?? '');
        setIssueDate(doc.issue_date ?? '');
        setDueDate(doc.due_date ?? '');
        setNotes(doc.notes ?? '');
        setLines(
          (doc.lines ?? []).map((line) => ({
            ...emptyLine(),
            product_id: line.product_id ?? '',
            description: line.description ?? '',
            quantity: i18n.decimal(line.quantity ?? '1', 0, 3),
            unit_price: i18n.decimal(line.unit_price ?? '0', 2, 4),
            discount_percent: line.discount_percent && Number(line.discount_percent) !== 0 ? i18n.decimal(line.discount_percent, 0, 2) : '',
            tax_category: line.tax_category ?? 'general',
          })),
        );
      },
      (error) => setProblem(toFormProblem(error, i18n)),
    );
  }, [kind, id]);

  const { body, errors: inputErrors } = useMemo(
    () => draftBody({ customer_id: customerId, issue_date: issueDate, due_date: dueDate, notes, lines }, i18n.parseDecimal),
    [customerId, issueDate, dueDate, notes, lines, i18n],
  );
  const previewKey = useDebounced(JSON.stringify(body), 400);
  const previewAbort = useRef<AbortController | null>(null);

  // Live totals: the server prices the draft (taxes, recargo, withholding) exactly as it will on save.
  useEffect(() => {
    const draft = JSON.parse(previewKey) as DocumentInput;
    previewAbort.current?.abort();
    if (!draft.customer_id || !(draft.lines ?? []).length || Object.keys(inputErrors).length) {
      setPreview(null);
      setPreviewState('idle');
      return;
    }
    if (draft.customer_id.startsWith(TEMP_ID_PREFIX) || !navigator.onLine) {
      setPreview(null);
      setPreviewState('offline');
      return;
    }
    const controller = new AbortController();
    previewAbort.current = controller;
    setPreviewState('loading');
    documents.preview(draft, controller.signal).then(
      (result) => {
        if (controller.signal.aborted) return;
        setPreview(result);
        setPreviewState('idle');
        setProblem(null);
      },
      (error) => {
        if (controller.signal.aborted) return;
        setPreview(null);
        if (error instanceof NetworkError) setPreviewState('offline');
        else {
          setPreviewState('error');
          if (error instanceof ApiError) setProblem(toFormProblem(error, i18n));
        }
      },
    );
    return () => controller.abort();
  }, [previewKey]);

  const setLine = (key: number, changes: Partial<LineState>) =>
    setLines((current) => current.map((line) => (line.key === key ? { ...line, ...changes } : line)));
  const chooseProduct = (key: number, productId: string) => {
    const product = catalog.find((p) => p.id === productId);
    setLine(key, {
      product_id: productId,
      ...(product
        ? {
            description: product.name ?? '',
            unit_price: product.unit_price ? i18n.decimal(product.unit_price, 2, 4) : '',
            tax_category: product.tax_category ?? 'general',
          }
        : {}),
    });
  };

  const save = async (andIssue: boolean) => {
    if (!outbox) return;
    const missing: Record<string, string[]> = {};
    if (!customerId) missing.customer_id = [i18n.t('form.required')];
    if (!body.lines?.length) missing.lines = [i18n.t('doc.noLines')];
    for (const key of Object.keys(inputErrors)) missing[key] = [i18n.t('form.notANumber')];
    if (Object.keys(missing).length) {
      setProblem({ message: i18n.t('form.errorSummary'), fields: missing });
      return;
    }
    setBusy(true);
    setProblem(null);
    const customerName = customers.find((c) => c.id === customerId)?.name ?? '';
    try {
      const saved = await submitWrite<SalesDocument>(
        outbox,
        existing
          ? { method: 'PATCH', path: `${API_PREFIX}/${kind}/${existing.id}`, body, label: i18n.t('doc.outboxEdit', { name: customerName }) }
          : { method: 'POST', path: `${API_PREFIX}/${kind}`, body, label: i18n.t(kind === 'invoices' ? 'doc.outboxInvoice' : 'doc.outboxQuote', { name: customerName }) },
      );
      const targetId = saved.queued ? (existing?.id ?? saved.entry.id) : (saved.data.id ?? '');
      if (!saved.queued && kind === 'invoices') {
        await cache?.upsert('invoices', [saved.data as unknown as CachedRecord]).catch(() => undefined);
        await cache?.putDocument(saved.data as unknown as CachedRecord).catch(() => undefined);
      } else if (saved.queued && existing && kind === 'invoices') {
        // Keep the offline edit on this device so the draft reopens with it.
        await cache?.putDocument({ ...existing, ...body, id: existing.id ?? targetId } as unknown as CachedRecord).catch(() => undefined);
        // The cached row's total is no longer right: the list shows the change as pending until the sync.
        const row = await cache?.get('invoices', targetId).catch(() => undefined);
        if (row) await cache?.upsert('invoices', [{ ...row, pending_change: true }]).catch(() => undefined);
      }
      let queued = saved.queued;
      if (andIssue) {
        const issued = await submitWrite<SalesDocument>(outbox, {
          method: 'POST',
          path: `${API_PREFIX}/invoices/${targetId}/issue`,
          body: {},
          label: i18n.t('doc.outboxIssue', { name: customerName }),
        });
        queued = queued || issued.queued;
        if (!issued.queued) await cache?.upsert('invoices', [issued.data as unknown as CachedRecord]).catch(() => undefined);
      }
      if (queued) {
        setFlash(i18n.t(andIssue ? 'doc.issueQueued' : 'offline.queued'), 'warning');
        navigate(`/${kind}`);
      } else {
        setFlash(i18n.t(andIssue ? 'doc.issued' : 'form.saved'));
        navigate(`/${kind}/${targetId}`);
      }
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      setBusy(false);
    }
  };

  const lineError = (index: number, field: string) => problem?.fields[`lines.${index}.${field}`];
  const currency = preview?.currency ?? user.tenant.currency;
  const title = existing ? i18n.t('doc.editDraft') : i18n.t(kind === 'invoices' ? 'doc.newInvoice' : 'doc.newQuote');
  return (
    <section class="page">
      <PageHeader title={title} />
      {offlineCopy && <OfflineNote syncedAt={null} />}
      <form class="form" noValidate onSubmit={(event) => (event.preventDefault(), void save(false))}>
        <FormAlert problem={problem} />
        <div class="form__row">
          <SelectField
            id="customer_id"
            label={i18n.t('doc.customer')}
            value={customerId}
            onValue={setCustomerId}
            options={[
              { value: '', label: i18n.t('doc.chooseCustomer') },
              ...customers.map((c) => ({ value: c.id, label: c.pending ? `${c.name} (${i18n.t('outbox.state.pending')})` : c.name })),
            ]}
            errors={problem?.fields.customer_id}
            required
          />
          <DateField id="issue_date" label={i18n.t('doc.issueDate')} value={issueDate} onValue={setIssueDate} errors={problem?.fields.issue_date} />
          <DateField id="due_date" label={i18n.t(kind === 'quotes' ? 'doc.validUntil' : 'doc.dueDate')} value={dueDate} onValue={setDueDate} errors={problem?.fields.due_date} />
        </div>
        <fieldset class="lines">
          <legend>{i18n.t('doc.lines')}</legend>
          {problem?.fields.lines && <p class="field__error">{problem.fields.lines.join(' ')}</p>}
          {lines.map((line, index) => (
            <div class="line" key={line.key} role="group" aria-label={i18n.t('doc.lineN', { n: index + 1 })}>
              <SelectField
                id={`line-${line.key}-product`}
                label={i18n.t('doc.product')}
                value={line.product_id}
                onValue={(value) => chooseProduct(line.key, value)}
                options={[{ value: '', label: i18n.t('doc.freeText') }, ...catalog.map((p) => ({ value: p.id ?? '', label: `${p.sku} · ${p.name}` }))]}
                errors={lineError(index, 'product_id')}
              />
              <Field id={`line-${line.key}-description`} label={i18n.t('doc.description')} value={line.description} onValue={(v) => setLine(line.key, { description: v })} errors={lineError(index, 'description')} />
              <Field id={`line-${line.key}-quantity`} label={i18n.t('doc.quantity')} inputMode="decimal" value={line.quantity} onValue={(v) => setLine(line.key, { quantity: v })} errors={lineError(index, 'quantity')} />
              <Field id={`line-${line.key}-price`} label={i18n.t('doc.unitPrice')} inputMode="decimal" value={line.unit_price} onValue={(v) => setLine(line.key, { unit_price: v })} errors={lineError(index, 'unit_price')} />
              <Field id={`line-${line.key}-discount`} label={i18n.t('doc.discount')} inputMode="decimal" value={line.discount_percent} onValue={(v) => setLine(line.key, { discount_percent: v })} errors={lineError(index, 'discount_percent')} />
              <SelectField
                id={`line-${line.key}-tax`}
                label={i18n.t('product.taxCategory')}
                value={line.tax_category}
                onValue={(v) => setLine(line.key, { tax_category: v })}
                options={TAX_CATEGORIES.map((value) => ({ value, label: i18n.t(`taxCategory.${value}`) }))}
                errors={lineError(index, 'tax_category')}
              />
              <div class="line__amount">
                <span class="line__label">{i18n.t('doc.base')}</span>
                <output>{preview?.lines?.[index]?.base_amount ? i18n.money(preview.lines[index].base_amount!, currency) : '—'}</output>
              </div>
              <button type="button" class="button" aria-label={i18n.t('doc.removeLineN', { n: index + 1 })} onClick={() => setLines((current) => current.filter((l) => l.key !== line.key))}>
                ✕
              </button>
            </div>
          ))}
          <button type="button" class="button" onClick={() => setLines((current) => [...current, emptyLine()])}>
            {i18n.t('doc.addLine')}
          </button>
        </fieldset>
        <Totals preview={preview} state={previewState} currency={currency} />
        <TextAreaField id="notes" label={i18n.t('doc.notes')} value={notes} onValue={setNotes} errors={problem?.fields.notes} />
        <div class="actions">
          <button type="submit" class="button" disabled={busy}>
            {i18n.t('doc.saveDraft')}
          </button>
          {kind === 'invoices' && can(user, 'invoices:issue') && (
            <button type="button" class="button button--primary" disabled={busy} onClick={() => void save(true)}>
              {i18n.t('doc.saveAndIssue')}
            </button>
          )}
          <Link to={existing ? `/${kind}/${existing.id}` : `/${kind}`} class="button">
            {i18n.t('form.cancel')}
          </Link>
        </div>
      </form>
    </section>
  );
}

function Totals({ preview, state, currency }: { preview: Preview | SalesDocument | null; state: string; currency: string }) {
  const i18n = useI18n();
  const money = (value?: string) => (value ? i18n.money(value, currency) : '—');
  const nonZero = (value?: string) => value && !/^-?0+(\.0+)?$/.test(value);
  return (
    <section class="totals" aria-label={i18n.t('doc.totals')} aria-live="polite" aria-busy={state === 'loading' ? 'true' : 'false'}>
      {state === 'offline' && <p class="totals__note">{i18n.t('doc.totalsOffline')}</p>}
      <dl>
        <dt>{i18n.t('doc.subtotal')}</dt>
        <dd data-total="subtotal">{money(preview?.subtotal)}</dd>
        {preview?.taxes?.map((tax) => (
          <>
            <dt key={`${tax.tax_type}-${tax.rate}-t`}>{i18n.t('doc.taxLine', { type: (tax.tax_type ?? '').toUpperCase(), rate: i18n.decimal(tax.rate ?? '0', 0, 2) })}</dt>
            <dd key={`${tax.tax_type}-${tax.rate}-d`}>{money(tax.amount)}</dd>
          </>
        ))}
        {!preview?.taxes?.length && (
          <>
            <dt>{i18n.t('doc.taxTotal')}</dt>
            <dd data-total="tax">{money(preview?.tax_total)}</dd>
          </>
        )}
        {nonZero(preview?.recargo_total) && (
          <>
            <dt>{i18n.t('doc.recargo')}</dt>
            <dd>{money(preview?.recargo_total)}</dd>
          </>
        )}
        {nonZero(preview?.withholding_total) && (
          <>
            <dt>{i18n.t('doc.withholding')}</dt>
            <dd>-{money(preview?.withholding_total)}</dd>
          </>
        )}
        <dt class="totals__grand">{i18n.t('doc.total')}</dt>
        <dd class="totals__grand" data-total="total">
          {money(preview?.total)}
        </dd>
      </dl>
    </section>
  );
}

export function DocumentDetail({ kind, id }: { kind: DocumentKind; id: string }) {
  const i18n = useI18n();
  const user = useUser();
  const { outbox, cache } = useOffline();
  const [doc, setDoc] = useState<SalesDocument | null>(null);
  const [offlineRow, setOfflineRow] = useState<CachedRecord | null>(null);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [crediting, setCrediting] = useState(false);
  const [reason, setReason] = useState('');
  const [rectType, setRectType] = useState('R1');
  const [voidedHere, setVoidedHere] = useState(false);

  const [offlineCopy, setOfflineCopy] = useState(false);
  useEffect(() => {
    loadDocument(kind, id, cache).then(
      ({ doc: loaded, offline }) => {
        setDoc(loaded);
        setOfflineCopy(offline);
      },
      async (error) => {
        const cached = error instanceof NetworkError && kind === 'invoices' ? await cache?.get('invoices', id) : undefined;
        if (cached) setOfflineRow(cached);
        else setProblem(toFormProblem(error, i18n));
      },
    );
  }, [kind, id]);

  const act = async (run: () => Promise<{ queued: boolean; data?: SalesDocument }>, done: (doc: SalesDocument) => void) => {
    setBusy(true);
    setProblem(null);
    try {
      const result = await run();
      if (result.queued || !result.data) {
        setFlash(i18n.t('offline.queued'), 'warning');
        navigate(`/${kind}`);
      } else done(result.data);
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      setBusy(false);
    }
  };
  const label = doc?.full_number ?? doc?.customer_name ?? '';

  const issue = () =>
    outbox &&
    act(
      () => submitWrite<SalesDocument>(outbox, { method: 'POST', path: `${API_PREFIX}/invoices/${id}/issue`, body: {}, label: i18n.t('doc.outboxIssue', { name: label }) }),
      (issued) => {
        setDoc(issued);
        void cache?.upsert('invoices', [issued as unknown as CachedRecord]).catch(() => undefined);
      },
    );
  const convert = () =>
    outbox &&
    act(
      () => submitWrite<SalesDocument>(outbox, { method: 'POST', path: `${API_PREFIX}/quotes/${id}/convert`, body: {}, label: i18n.t('doc.outboxConvert', { name: label }) }),
      (invoice) => {
        setFlash(i18n.t('doc.converted'));
        navigate(`/invoices/${invoice.id}`);
      },
    );
  const creditNote = (event: Event) => {
    event.preventDefault();
    if (!outbox) return;
    if (!reason.trim()) {
      setProblem({ message: i18n.t('form.errorSummary'), fields: { reason: [i18n.t('form.required')] } });
      return;
    }
    const body: Record<string, unknown> = { reason: reason.trim() };
    if (user.tenant.country === 'ES') body.rectification_type = rectType;
    void act(
      () => submitWrite<SalesDocument>(outbox, { method: 'POST', path: `${API_PREFIX}/invoices/${id}/credit-notes`, body, label: i18n.t('doc.outboxCredit', { name: label }) }),
      (credit) => {
        setCrediting(false);
        setFlash(i18n.t('doc.creditCreated'));
        navigate(`/invoices/${credit.id}`);
      },
    );
  };

  if (!doc && offlineRow) {
    return (
      <section class="page">
        <PageHeader title={String(offlineRow.full_number ?? i18n.t('doc.draft'))} />
        <OfflineNote syncedAt={null} />
        <dl class="facts">
          <dt>{i18n.t('doc.customer')}</dt>
          <dd>{String(offlineRow.customer_name ?? '')}</dd>
          <dt>{i18n.t('doc.total')}</dt>
          <dd>{typeof offlineRow.total === 'string' ? i18n.money(offlineRow.total, String(offlineRow.currency ?? user.tenant.currency)) : ''}</dd>
        </dl>
      </section>
    );
  }
  if (!doc) return problem ? <FormAlert problem={problem} /> : <p>{i18n.t('app.loading')}</p>;

  const status = String(doc.status ?? 'draft');
  const isDraft = status === 'draft';
  const isInvoice = doc.kind === 'invoice';
  const title = doc.full_number ?? i18n.t(doc.kind === 'credit_note' ? 'doc.creditNoteDraft' : doc.kind === 'quote' ? 'doc.quoteDraft' : 'doc.draft');
  return (
    <section class="page">
      <PageHeader title={title}>
        <StatusBadge status={status} />
      </PageHeader>
      <Flash />
      {offlineCopy && <OfflineNote syncedAt={null} />}
      <FormAlert problem={problem} />
      <dl class="facts">
        <dt>{i18n.t('doc.customer')}</dt>
        <dd>
          {doc.customer_name} ({doc.customer_tax_id})
        </dd>
        <dt>{i18n.t('doc.issueDate')}</dt>
        <dd>{doc.issue_date ? i18n.date(doc.issue_date) : ''}</dd>
        {doc.due_date && (
          <>
            <dt>{i18n.t(doc.kind === 'quote' ? 'doc.validUntil' : 'doc.dueDate')}</dt>
            <dd>{i18n.date(doc.due_date)}</dd>
          </>
        )}
        {doc.reason && (
          <>
            <dt>{i18n.t('doc.reason')}</dt>
            <dd>{doc.reason}</dd>
          </>
        )}
      </dl>
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{i18n.t('doc.description')}</th>
              <th scope="col" class="num">{i18n.t('doc.quantity')}</th>
              <th scope="col" class="num">{i18n.t('doc.unitPrice')}</th>
              <th scope="col" class="num">{i18n.t('doc.taxRate')}</th>
              <th scope="col" class="num">{i18n.t('doc.base')}</th>
            </tr>
          </thead>
          <tbody>
            {(doc.lines ?? []).map((line) => (
              <tr key={line.id}>
                <td>{line.description}</td>
                <td class="num">{i18n.decimal(line.quantity ?? '0', 0, 3)}</td>
                <td class="num">{i18n.money(line.unit_price ?? '0', doc.currency ?? user.tenant.currency)}</td>
                <td class="num">{i18n.decimal(line.tax_rate ?? '0', 0, 2)} %</td>
                <td class="num">{i18n.money(line.base_amount ?? '0', doc.currency ?? user.tenant.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Totals preview={doc} state="idle" currency={doc.currency ?? user.tenant.currency} />
      <div class="actions">
        {isDraft && (
          <Link to={`/${kind}/${doc.id}/edit`} class="button">
            {i18n.t('doc.edit')}
          </Link>
        )}
        {isDraft && doc.kind !== 'quote' && can(user, 'invoices:issue') && (
          <button type="button" class="button button--primary" disabled={busy} onClick={issue}>
            {i18n.t('doc.issue')}
          </button>
        )}
        {(doc.kind === 'quote' || !isDraft) && (
          // GET /api/v1/{invoices|quotes}/{id}/pdf with the session cookie; the browser downloads it.
          <a class="button" href={documents.pdfUrl(kind, doc.id ?? id)} download>
            {i18n.t('doc.pdf')}
          </a>
        )}
        {isInvoice && !isDraft && status !== 'rectified' && status !== 'voided' && can(user, 'invoices:write') && (
          <button type="button" class="button" aria-expanded={crediting ? 'true' : 'false'} onClick={() => setCrediting(!crediting)}>
            {i18n.t('doc.creditNote')}
          </button>
        )}
        {doc.kind === 'quote' && status !== 'converted' && can(user, 'invoices:write') && (
          <button type="button" class="button button--primary" disabled={busy} onClick={convert}>
            {i18n.t('doc.convert')}
          </button>
        )}
        {doc.kind !== 'quote' && !isDraft && status !== 'voided' && can(user, 'invoices:write') && <SendInvoiceForm invoiceId={doc.id ?? id} defaultTo={''} />}
        {isInvoice && (status === 'issued' || voidedHere) && can(user, 'invoices:void') && (
          <VoidForm
            invoiceId={doc.id ?? id}
            label={label}
            onVoided={(voided) => {
              setVoidedHere(true);
              setDoc(voided);
              void cache?.upsert('invoices', [voided as unknown as CachedRecord]).catch(() => undefined);
            }}
          />
        )}
      </div>
      {crediting && (
        <form class="form form--inline" onSubmit={creditNote} noValidate>
          <Field id="credit-reason" label={i18n.t('doc.reason')} value={reason} onValue={setReason} errors={problem?.fields.reason} required />
          {user.tenant.country === 'ES' && (
            <SelectField
              id="credit-type"
              label={i18n.t('doc.rectificationType')}
              value={rectType}
              onValue={setRectType}
              options={['R1', 'R2', 'R3', 'R4', 'R5'].map((value) => ({ value, label: i18n.t(`doc.rect.${value}` as 'doc.rect.R1') }))}
              errors={problem?.fields.rectification_type}
            />
          )}
          <button type="submit" class="button button--primary" disabled={busy}>
            {i18n.t('doc.createCreditNote')}
          </button>
        </form>
      )}
      {isInvoice && !isDraft && user.tenant.modules.includes('payments') && can(user, 'payments:read') && (
        <InvoicePayments key={`${doc.id}-${doc.amount_due}`} invoice={doc} onChanged={() => void documents.get(kind, id).then(setDoc, () => undefined)} />
      )}
      {kind === 'invoices' && !isDraft && user.tenant.modules.includes('einvoicing') && can(user, 'einvoicing:read') && <EInvoicePanel invoiceId={doc.id ?? id} />}
    </section>
  );
}
