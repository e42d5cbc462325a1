/**
 * Purchases: supplier invoices (list with filters, editor with lines and an exact estimate of the base,
 * detail with record and attachments), expenses (list, quick form, record) and, for Ecuador, the
 * comprobantes de retención (list, detail). Reads need the server; writes go through the outbox.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import {
  purchases,
  PURCHASE_STATUSES,
  withholdings,
  type ExpenseInput,
  type PurchaseAttachment,
  type PurchaseDocument,
  type PurchaseKind,
  type PurchaseRow,
  type SupplierInvoiceInput,
  type Withholding,
} from '../../api/purchases';
import { parties, TAX_CATEGORIES, type Page, type Party } from '../../api/resources';
import { estimateSubtotal } from '../../purchase-math';
import { submitWrite } from '../../offline/sync';
import { Link, navigate } from '../../router';
import { Field, FormAlert, toFormProblem, type FormProblem } from '../forms';
import { useI18n } from '../i18n-context';
import { can, DateField, Flash, PageHeader, Pager, SelectField, setFlash, SortHeader, TextAreaField, useDebounced } from '../kit';
import { useOffline } from '../offline-context';
import { useUser } from '../user-context';
import { EInvoicePanel } from './EInvoicing';

export type PurchaseTab = PurchaseKind | 'withholdings';

function useSuppliers(): Party[] {
  const [suppliers, setSuppliers] = useState<Party[]>([]);
  useEffect(() => {
    parties.list('suppliers', { page_size: 200, sort: 'legal_name' }).then((page) => setSuppliers(page.items), () => setSuppliers([]));
  }, []);
  return suppliers;
}

function PurchaseStatus({ status }: { status: string }) {
  const i18n = useI18n();
  return <span class={`badge badge--status-${status}`}>{i18n.t(`status.pur.${status}` as 'status.pur.draft')}</span>;
}

function Tabs({ tab }: { tab: PurchaseTab }) {
  const i18n = useI18n();
  const user = useUser();
  const tabs: [PurchaseTab, string][] = [
    ['invoices', '/purchases'],
    ['expenses', '/purchases/expenses'],
  ];
  if (user.tenant.country === 'EC') tabs.push(['withholdings', '/purchases/withholdings']);
  return (
    <nav class="tabs" aria-label={i18n.t('nav.purchases')}>
      {tabs.map(([key, to]) => (
        <Link key={key} to={to} class={`tab${key === tab ? ' tab--active' : ''}`} aria-current={key === tab ? 'page' : undefined}>
          {i18n.t(`pur.tab.${key}` as 'pur.tab.invoices')}
        </Link>
      ))}
    </nav>
  );
}

export function PurchasesPage({ tab }: { tab: PurchaseTab }) {
  const i18n = useI18n();
  const user = useUser();
  const { counts } = useOffline();
  const suppliers = useSuppliers();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState('');
  const [supplierId, setSupplierId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [sort, setSort] = useState('-issue_date');
  const [page, setPage] = useState(1);
  const [result, setResult] = useState<Page<PurchaseRow | Withholding> | null>(null);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const search = useDebounced(q, 300);

  useEffect(() => setPage(1), [tab, search, status, supplierId, from, to, sort]);
  useEffect(() => {
    let cancelled = false;
    const query = {
      q: search || undefined,
      supplier_id: supplierId || undefined,
      issue_date_from: from || undefined,
      issue_date_to: to || undefined,
      sort: tab === 'withholdings' && !['issue_date', '-issue_date'].includes(sort) ? '-issue_date' : sort,
      page,
      page_size: 25,
    };
    const load =
      tab === 'withholdings' ? withholdings.list(query) : purchases.list(tab, { ...query, status: status || undefined });
    load.then(
      (loaded) => !cancelled && (setResult(loaded as Page<PurchaseRow | Withholding>), setProblem(null)),
      (error) => !cancelled && setProblem(toFormProblem(error, i18n)),
    );
    return () => {
      cancelled = true;
    };
  }, [tab, search, status, supplierId, from, to, sort, page, counts.pending]);

  const currency = user.tenant.currency;
  const writable = can(user, 'purchases:write');
  return (
    <section class="page">
      <PageHeader title={i18n.t('nav.purchases')}>
        {writable && tab === 'invoices' && (
          <Link to="/purchases/invoices/new" class="button button--primary">
            {i18n.t('pur.newInvoice')}
          </Link>
        )}
        {writable && tab === 'expenses' && (
          <Link to="/purchases/expenses/new" class="button button--primary">
            {i18n.t('pur.newExpense')}
          </Link>
        )}
      </PageHeader>
      <Tabs tab={tab} />
      <Flash />
      <FormAlert problem={problem} />
      <div class="toolbar">
        <Field id="pur-search" type="search" label={i18n.t('list.search')} value={q} onValue={setQ} />
        {tab !== 'withholdings' && (
          <SelectField
            id="pur-status"
            label={i18n.t('doc.status')}
            value={status}
            onValue={setStatus}
            options={[{ value: '', label: i18n.t('list.all') }, ...PURCHASE_STATUSES.map((value) => ({ value, label: i18n.t(`status.pur.${value}`) }))]}
          />
        )}
        <SelectField
          id="pur-supplier"
          label={i18n.t('pur.supplier')}
          value={supplierId}
          onValue={setSupplierId}
          options={[{ value: '', label: i18n.t('list.all') }, ...suppliers.map((s) => ({ value: s.id ?? '', label: s.legal_name ?? '' }))]}
        />
        <DateField id="pur-from" label={i18n.t('doc.from')} value={from} onValue={setFrom} />
        <DateField id="pur-to" label={i18n.t('doc.to')} value={to} onValue={setTo} />
      </div>
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{i18n.t(tab === 'withholdings' ? 'doc.number' : 'pur.supplierNumber')}</th>
              <SortHeader label={i18n.t('doc.issueDate')} field="issue_date" sort={sort} onSort={setSort} />
              <th scope="col">{i18n.t('pur.supplier')}</th>
              <th scope="col" class="num">{i18n.t('doc.total')}</th>
              {tab !== 'withholdings' && <th scope="col">{i18n.t('doc.status')}</th>}
            </tr>
          </thead>
          <tbody>
            {result?.items.map((row) =>
              tab === 'withholdings' ? (
                <tr key={row.id}>
                  <td>
                    <Link to={`/purchases/withholdings/${row.id}`}>{(row as Withholding).number}</Link>
                  </td>
                  <td>{row.issue_date ? i18n.date(row.issue_date) : ''}</td>
                  <td>{row.supplier_name}</td>
                  <td class="num">{row.total ? i18n.money(row.total, currency) : ''}</td>
                </tr>
              ) : (
                <tr key={row.id}>
                  <td>
                    <Link to={`/purchases/${tab}/${row.id}`}>{(row as PurchaseRow).supplier_number || (row as PurchaseRow).description || i18n.t('doc.draft')}</Link>
                  </td>
                  <td>{row.issue_date ? i18n.date(row.issue_date) : ''}</td>
                  <td>{row.supplier_name}</td>
                  <td class="num">{row.total ? i18n.money(row.total, (row as PurchaseRow).currency ?? currency) : ''}</td>
                  <td>
                    <PurchaseStatus status={String((row as PurchaseRow).status ?? 'draft')} />
                  </td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      </div>
      {result && result.total === 0 && <p class="empty">{i18n.t('list.empty')}</p>}
      {result && <Pager page={result.page} pages={result.pages} total={result.total} onPage={setPage} />}
    </section>
  );
}

interface LineState {
  key: number;
  description: string;
  quantity: string;
  unit_price: string;
  discount_percent: string;
  tax_category: string;
}

let lineKeys = 0;
const emptyLine = (): LineState => ({ key: (lineKeys += 1), description: '', quantity: '1', unit_price: '', discount_percent: '', tax_category: 'general' });

/** The supplier invoice editor (new, or a draft). */
export function SupplierInvoiceEditor({ id }: { id?: string }) {
  const i18n = useI18n();
  const user = useUser();
  const { outbox } = useOffline();
  const suppliers = useSuppliers();
  const [existing, setExisting] = useState<PurchaseDocument | null>(null);
  const [supplierId, setSupplierId] = useState('');
  const [supplierNumber, setSupplierNumber] = useState('');
  const [authorization, setAuthorization] = useState('');
  const [issueDate, setIssueDate] = useState(() => new Date().toISOString().slice(0, 10));
  const [dueDate, setDueDate] = useState('');
  const [notes, setNotes] = useState('');
  const [lines, setLines] = useState<LineState[]>(() => [emptyLine()]);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!id) return;
    purchases.get('invoices', id).then(
      (doc) => {
        setExisting(doc);
        setSupplierId(doc.supplier_id ?? '');
        setSupplierNumber(doc.supplier_number ?? '');
        setAuthorization(doc.authorization_number ?? '');
        setIssueDate(doc.issue_date ?? '');
        setDueDate(doc.due_date ?? '');
        setNotes(doc.notes ?? '');
        setLines(
          (doc.lines ?? []).map((line) => ({
            key: (lineKeys += 1),
            description: line.description ?? '',
            quantity: i18n.decimal(line.quantity ?? '1', 0, 3),
            unit_price: i18n.decimal(line.unit_price ?? '0', 2, 4),
            discount_percent: line.discount_percent && !/^0+(\.0+)?$/.test(line.discount_percent) ? i18n.decimal(line.discount_percent, 0, 2) : '',
            tax_category: line.tax_category ?? 'general',
          })),
        );
      },
      (error) => setProblem(toFormProblem(error, i18n)),
    );
  }, [id]);

  // Lines as the API wants them (decimal strings); indexes of what is not a number.
  const parsed = useMemo(() => {
    const bad: Record<string, string[]> = {};
    const body = lines.map((line, index) => {
      const quantity = i18n.parseDecimal(line.quantity);
      const price = i18n.parseDecimal(line.unit_price);
      const discount = line.discount_percent.trim() ? i18n.parseDecimal(line.discount_percent) : '0';
      if (quantity === null) bad[`lines.${index}.quantity`] = [i18n.t('form.notANumber')];
      if (price === null) bad[`lines.${index}.unit_price`] = [i18n.t('form.notANumber')];
      if (discount === null) bad[`lines.${index}.discount_percent`] = [i18n.t('form.notANumber')];
      return {
        description: line.description.trim(),
        quantity: quantity ?? '',
        unit_price: price ?? '',
        ...(discount && discount !== '0' ? { discount_percent: discount } : {}),
        tax_category: line.tax_category as (typeof TAX_CATEGORIES)[number],
      };
    });
    return { body, bad };
  }, [lines, i18n]);
  const estimate = Object.keys(parsed.bad).length ? null : estimateSubtotal(parsed.body);

  const setLine = (key: number, changes: Partial<LineState>) => setLines((current) => current.map((line) => (line.key === key ? { ...line, ...changes } : line)));

  const save = async (andRecord: boolean) => {
    if (!outbox) return;
    const missing: Record<string, string[]> = { ...parsed.bad };
    if (!supplierId) missing.supplier_id = [i18n.t('form.required')];
    if (!supplierNumber.trim()) missing.supplier_number = [i18n.t('form.required')];
    if (!issueDate) missing.issue_date = [i18n.t('form.required')];
    if (!lines.length) missing.lines = [i18n.t('doc.noLines')];
    if (Object.keys(missing).length) {
      setProblem({ message: i18n.t('form.errorSummary'), fields: missing });
      return;
    }
    const body: SupplierInvoiceInput = {
      supplier_id: supplierId,
      supplier_number: supplierNumber.trim(),
      issue_date: issueDate,
      ...(dueDate ? { due_date: dueDate } : {}),
      ...(authorization.trim() ? { authorization_number: authorization.trim() } : {}),
      ...(notes.trim() ? { notes: notes.trim() } : {}),
      lines: parsed.body,
    };
    const name = supplierNumber.trim();
    setBusy(true);
    setProblem(null);
    try {
      const saved = await submitWrite<PurchaseDocument>(
        outbox,
        existing
          ? { method: 'PATCH', path: purchases.path('invoices', existing.id), body, label: i18n.t('pur.outboxEdit', { name }) }
          : { method: 'POST', path: purchases.path('invoices'), body, label: i18n.t('pur.outboxInvoice', { name }) },
      );
      const targetId = saved.queued ? (existing?.id ?? saved.entry.id) : (saved.data.id ?? '');
      let queued = saved.queued;
      if (andRecord) {
        const recorded = await submitWrite<PurchaseDocument>(outbox, {
          method: 'POST',
          path: purchases.path('invoices', targetId, 'record'),
          body: {},
          label: i18n.t('pur.outboxRecord', { name }),
        });
        queued = queued || recorded.queued;
      }
      if (queued) {
        setFlash(i18n.t('offline.queued'), 'warning');
        navigate('/purchases');
      } else {
        setFlash(i18n.t(andRecord ? 'pur.recorded' : 'form.saved'));
        navigate(`/purchases/invoices/${targetId}`);
      }
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      setBusy(false);
    }
  };

  const lineError = (index: number, field: string) => problem?.fields[`lines.${index}.${field}`];
  const currency = existing?.currency ?? user.tenant.currency;
  return (
    <section class="page">
      <PageHeader title={i18n.t(existing ? 'pur.editInvoice' : 'pur.newInvoice')} />
      <form class="form" noValidate onSubmit={(event) => (event.preventDefault(), void save(false))}>
        <FormAlert problem={problem} />
        <div class="form__row">
          <SelectField
            id="supplier_id"
            label={i18n.t('pur.supplier')}
            value={supplierId}
            onValue={setSupplierId}
            options={[{ value: '', label: i18n.t('pur.chooseSupplier') }, ...suppliers.map((s) => ({ value: s.id ?? '', label: s.legal_name ?? '' }))]}
            errors={problem?.fields.supplier_id}
            required
          />
          <Field id="supplier_number" label={i18n.t('pur.supplierNumber')} value={supplierNumber} onValue={setSupplierNumber} errors={problem?.fields.supplier_number} required />
          {user.tenant.country === 'EC' && (
            <Field id="authorization_number" label={i18n.t('pur.authorization')} value={authorization} onValue={setAuthorization} errors={problem?.fields.authorization_number} />
          )}
          <DateField id="issue_date" label={i18n.t('doc.issueDate')} value={issueDate} onValue={setIssueDate} errors={problem?.fields.issue_date} />
          <DateField id="due_date" label={i18n.t('doc.dueDate')} value={dueDate} onValue={setDueDate} errors={problem?.fields.due_date} />
        </div>
        <fieldset class="lines">
          <legend>{i18n.t('doc.lines')}</legend>
          {problem?.fields.lines && <p class="field__error">{problem.fields.lines.join(' ')}</p>}
          {lines.map((line, index) => (
            <div class="line" key={line.key} role="group" aria-label={i18n.t('doc.lineN', { n: index + 1 })}>
              <Field id={`pline-${line.key}-description`} label={i18n.t('doc.description')} value={line.description} onValue={(v) => setLine(line.key, { description: v })} errors={lineError(index, 'description')} />
              <Field id={`pline-${line.key}-quantity`} label={i18n.t('doc.quantity')} inputMode="decimal" value={line.quantity} onValue={(v) => setLine(line.key, { quantity: v })} errors={lineError(index, 'quantity')} />
              <Field id={`pline-${line.key}-price`} label={i18n.t('doc.unitPrice')} inputMode="decimal" value={line.unit_price} onValue={(v) => setLine(line.key, { unit_price: v })} errors={lineError(index, 'unit_price')} />
              <Field id={`pline-${line.key}-discount`} label={i18n.t('doc.discount')} inputMode="decimal" value={line.discount_percent} onValue={(v) => setLine(line.key, { discount_percent: v })} errors={lineError(index, 'discount_percent')} />
              <SelectField
                id={`pline-${line.key}-tax`}
                label={i18n.t('product.taxCategory')}
                value={line.tax_category}
                onValue={(v) => setLine(line.key, { tax_category: v })}
                options={TAX_CATEGORIES.map((value) => ({ value, label: i18n.t(`taxCategory.${value}`) }))}
                errors={lineError(index, 'tax_category')}
              />
              <button type="button" class="button" aria-label={i18n.t('doc.removeLineN', { n: index + 1 })} onClick={() => setLines((current) => current.filter((l) => l.key !== line.key))}>
                ✕
              </button>
            </div>
          ))}
          <button type="button" class="button" onClick={() => setLines((current) => [...current, emptyLine()])}>
            {i18n.t('doc.addLine')}
          </button>
        </fieldset>
        <section class="totals" aria-label={i18n.t('doc.totals')} aria-live="polite">
          <dl>
            <dt>{i18n.t('pur.estimate')}</dt>
            <dd data-total="estimate">{estimate ? i18n.money(estimate, currency) : '—'}</dd>
          </dl>
          <p class="muted">{i18n.t('pur.estimateNote')}</p>
        </section>
        <TextAreaField id="notes" label={i18n.t('doc.notes')} value={notes} onValue={setNotes} errors={problem?.fields.notes} />
        <div class="actions">
          <button type="submit" class="button" disabled={busy}>
            {i18n.t('doc.saveDraft')}
          </button>
          <button type="button" class="button button--primary" disabled={busy} onClick={() => void save(true)}>
            {i18n.t('pur.saveAndRecord')}
          </button>
          <Link to={existing ? `/purchases/invoices/${existing.id}` : '/purchases'} class="button">
            {i18n.t('form.cancel')}
          </Link>
        </div>
      </form>
    </section>
  );
}

/** A quick expense (one amount, optional tax), optionally recorded and paid at once. */
export function ExpenseForm() {
  const i18n = useI18n();
  const { outbox } = useOffline();
  const suppliers = useSuppliers();
  const [description, setDescription] = useState('');
  const [amount, setAmount] = useState('');
  const [taxAmount, setTaxAmount] = useState('');
  const [issueDate, setIssueDate] = useState(() => new Date().toISOString().slice(0, 10));
  const [supplierId, setSupplierId] = useState('');
  const [record, setRecord] = useState(true);
  const [paid, setPaid] = useState(false);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async (event: Event) => {
    event.preventDefault();
    if (!outbox) return;
    const value = i18n.parseDecimal(amount);
    const tax = taxAmount.trim() ? i18n.parseDecimal(taxAmount) : undefined;
    const missing: Record<string, string[]> = {};
    if (!description.trim()) missing.description = [i18n.t('form.required')];
    if (!amount.trim()) missing.amount = [i18n.t('form.required')];
    else if (value === null) missing.amount = [i18n.t('form.notANumber')];
    if (tax === null) missing.tax_amount = [i18n.t('form.notANumber')];
    if (Object.keys(missing).length) {
      setProblem({ message: i18n.t('form.errorSummary'), fields: missing });
      return;
    }
    const body: ExpenseInput = {
      description: description.trim(),
      amount: value!,
      issue_date: issueDate,
      record,
      is_paid: paid,
      ...(tax ? { tax_amount: tax } : {}),
      ...(supplierId ? { supplier_id: supplierId } : {}),
    };
    setBusy(true);
    setProblem(null);
    try {
      const saved = await submitWrite<PurchaseDocument>(outbox, { method: 'POST', path: purchases.path('expenses'), body, label: i18n.t('pur.outboxExpense', { name: body.description }) });
      if (saved.queued) {
        setFlash(i18n.t('offline.queued'), 'warning');
        navigate('/purchases/expenses');
      } else {
        setFlash(i18n.t('form.saved'));
        navigate(`/purchases/expenses/${saved.data.id}`);
      }
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="page">
      <PageHeader title={i18n.t('pur.newExpense')} />
      <form class="form" noValidate onSubmit={save}>
        <FormAlert problem={problem} />
        <Field id="description" label={i18n.t('doc.description')} value={description} onValue={setDescription} errors={problem?.fields.description} required />
        <div class="form__row">
          <Field id="amount" label={i18n.t('pur.amount')} inputMode="decimal" value={amount} onValue={setAmount} errors={problem?.fields.amount} required />
          <Field id="tax_amount" label={i18n.t('pur.taxAmount')} inputMode="decimal" value={taxAmount} onValue={setTaxAmount} errors={problem?.fields.tax_amount} />
          <DateField id="issue_date" label={i18n.t('doc.issueDate')} value={issueDate} onValue={setIssueDate} errors={problem?.fields.issue_date} />
          <SelectField
            id="supplier_id"
            label={i18n.t('pur.supplier')}
            value={supplierId}
            onValue={setSupplierId}
            options={[{ value: '', label: i18n.t('pur.noSupplier') }, ...suppliers.map((s) => ({ value: s.id ?? '', label: s.legal_name ?? '' }))]}
            errors={problem?.fields.supplier_id}
          />
        </div>
        <label class="check">
          <input type="checkbox" checked={record} onChange={(e) => setRecord(e.currentTarget.checked)} /> {i18n.t('pur.recordNow')}
        </label>
        <label class="check">
          <input type="checkbox" checked={paid} onChange={(e) => setPaid(e.currentTarget.checked)} /> {i18n.t('pur.isPaid')}
        </label>
        <div class="actions">
          <button type="submit" class="button button--primary" disabled={busy}>
            {i18n.t('form.save')}
          </button>
          <Link to="/purchases/expenses" class="button">
            {i18n.t('form.cancel')}
          </Link>
        </div>
      </form>
    </section>
  );
}

/** Detail of a supplier invoice or an expense: record, delete a draft, attachments. */
export function PurchaseDetail({ kind, id }: { kind: PurchaseKind; id: string }) {
  const i18n = useI18n();
  const user = useUser();
  const { outbox } = useOffline();
  const [doc, setDoc] = useState<PurchaseDocument | null>(null);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    purchases.get(kind, id).then(setDoc, (error) => setProblem(toFormProblem(error, i18n)));
  }, [kind, id]);

  const record = async () => {
    if (!outbox || !doc) return;
    setBusy(true);
    setProblem(null);
    try {
      const result = await submitWrite<PurchaseDocument>(outbox, {
        method: 'POST',
        path: purchases.path(kind, id, 'record'),
        body: {},
        label: i18n.t('pur.outboxRecord', { name: doc.supplier_number ?? doc.description ?? '' }),
      });
      if (result.queued) setFlash(i18n.t('offline.queued'), 'warning');
      else {
        setDoc(result.data);
        setFlash(i18n.t('pur.recorded'));
      }
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (!window.confirm(i18n.t('pur.deleteConfirm'))) return;
    try {
      await purchases.remove(kind, id);
      setFlash(i18n.t('pur.deleted'));
      navigate(kind === 'invoices' ? '/purchases' : '/purchases/expenses');
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    }
  };

  if (!doc) return problem ? <FormAlert problem={problem} /> : <p>{i18n.t('app.loading')}</p>;
  const status = String(doc.status ?? 'draft');
  const currency = doc.currency ?? user.tenant.currency;
  const money = (value?: string) => (value ? i18n.money(value, currency) : '—');
  const writable = can(user, 'purchases:write');
  return (
    <section class="page">
      <PageHeader title={doc.supplier_number || doc.description || i18n.t('doc.draft')}>
        <PurchaseStatus status={status} />
      </PageHeader>
      <Flash />
      <FormAlert problem={problem} />
      <dl class="facts">
        <dt>{i18n.t('pur.supplier')}</dt>
        <dd>{doc.supplier_name ? `${doc.supplier_name} (${doc.supplier_tax_id ?? ''})` : '—'}</dd>
        <dt>{i18n.t('doc.issueDate')}</dt>
        <dd>{doc.issue_date ? i18n.date(doc.issue_date) : ''}</dd>
        {doc.due_date && (
          <>
            <dt>{i18n.t('doc.dueDate')}</dt>
            <dd>{i18n.date(doc.due_date)}</dd>
          </>
        )}
        {doc.authorization_number && (
          <>
            <dt>{i18n.t('pur.authorization')}</dt>
            <dd>{doc.authorization_number}</dd>
          </>
        )}
      </dl>
      {(doc.lines ?? []).length > 0 && (
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
                  <td class="num">{money(line.unit_price)}</td>
                  <td class="num">{i18n.decimal(line.tax_rate ?? '0', 0, 2)} %</td>
                  <td class="num">{money(line.base_amount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <section class="totals" aria-label={i18n.t('doc.totals')}>
        <dl>
          <dt>{i18n.t('doc.subtotal')}</dt>
          <dd>{money(doc.subtotal)}</dd>
          <dt>{i18n.t('doc.taxTotal')}</dt>
          <dd>{money(doc.tax_total)}</dd>
          {doc.withholding_total && !/^0+(\.0+)?$/.test(doc.withholding_total) && (
            <>
              <dt>{i18n.t('doc.withholding')}</dt>
              <dd>-{money(doc.withholding_total)}</dd>
            </>
          )}
          <dt class="totals__grand">{i18n.t('doc.total')}</dt>
          <dd class="totals__grand" data-total="total">
            {money(doc.total)}
          </dd>
          {status !== 'draft' && (
            <>
              <dt>{i18n.t('pur.amountDue')}</dt>
              <dd data-total="due">{money(doc.amount_due)}</dd>
            </>
          )}
        </dl>
      </section>
      {writable && status === 'draft' && (
        <div class="actions">
          {kind === 'invoices' && (
            <Link to={`/purchases/invoices/${id}/edit`} class="button">
              {i18n.t('doc.edit')}
            </Link>
          )}
          <button type="button" class="button button--primary" disabled={busy} onClick={() => void record()}>
            {i18n.t('pur.record')}
          </button>
          <button type="button" class="button" disabled={busy} onClick={() => void remove()}>
            {i18n.t('pur.delete')}
          </button>
        </div>
      )}
      {writable && kind === 'invoices' && (status === 'recorded' || status === 'partially_paid' || status === 'overdue') && (
        <PurchasePaymentForm id={id} due={doc.amount_due ?? ''} label={doc.supplier_number ?? ''} onPaid={setDoc} />
      )}
      <Attachments kind={kind} id={id} locked={status !== 'draft'} writable={writable} initial={doc.attachments ?? []} />
    </section>
  );
}

function Attachments({ kind, id, locked, writable, initial }: { kind: PurchaseKind; id: string; locked: boolean; writable: boolean; initial: PurchaseAttachment[] }) {
  const i18n = useI18n();
  const [rows, setRows] = useState<PurchaseAttachment[]>(initial);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const upload = async (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setBusy(true);
    setProblem(null);
    try {
      const created = await purchases.upload(kind, id, file);
      setRows((current) => [...current, created]);
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      input.value = '';
      setBusy(false);
    }
  };
  const remove = async (attachment: PurchaseAttachment) => {
    try {
      await purchases.removeAttachment(kind, id, attachment.id ?? '');
      setRows((current) => current.filter((row) => row.id !== attachment.id));
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    }
  };
  return (
    <section class="card" aria-labelledby="attachments-title">
      <h2 id="attachments-title">{i18n.t('pur.attachments')}</h2>
      <FormAlert problem={problem} />
      {rows.length === 0 ? (
        <p class="muted">{i18n.t('pur.noAttachments')}</p>
      ) : (
        <ul class="attachments">
          {rows.map((row) => (
            <li key={row.id}>
              <a href={purchases.attachmentUrl(kind, id, row.id ?? '')} download={row.filename}>
                {row.filename}
              </a>{' '}
              <span class="muted">({Math.ceil((row.size_bytes ?? 0) / 1024)} KB)</span>{' '}
              {writable && !locked && (
                <button type="button" class="button button--small" aria-label={i18n.t('pur.removeAttachment', { name: row.filename ?? '' })} onClick={() => void remove(row)}>
                  ✕
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {writable && (
        <div class="field">
          <label for="attachment-file">{i18n.t('pur.upload')}</label>
          <input id="attachment-file" type="file" accept="application/pdf,image/png,image/jpeg,image/webp" disabled={busy} onChange={(e) => void upload(e)} />
          <p class="field__hint">{i18n.t('pur.uploadHint')}</p>
        </div>
      )}
    </section>
  );
}

/** An Ecuadorian comprobante de retención. */
export function WithholdingDetail({ id }: { id: string }) {
  const i18n = useI18n();
  const user = useUser();
  const [row, setRow] = useState<Withholding | null>(null);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  useEffect(() => {
    withholdings.get(id).then(setRow, (error) => setProblem(toFormProblem(error, i18n)));
  }, [id]);
  if (!row) return problem ? <FormAlert problem={problem} /> : <p>{i18n.t('app.loading')}</p>;
  const money = (value?: string) => (value ? i18n.money(value, user.tenant.currency) : '—');
  return (
    <section class="page">
      <PageHeader title={`${i18n.t('pur.withholding')} ${row.number ?? ''}`} />
      <dl class="facts">
        <dt>{i18n.t('pur.supplier')}</dt>
        <dd>
          {row.supplier_name} ({row.supplier_tax_id})
        </dd>
        <dt>{i18n.t('doc.issueDate')}</dt>
        <dd>{row.issue_date ? i18n.date(row.issue_date) : ''}</dd>
        <dt>{i18n.t('pur.fiscalPeriod')}</dt>
        <dd>{row.fiscal_period}</dd>
        <dt>{i18n.t('pur.document')}</dt>
        <dd>{row.document_id && <Link to={`/purchases/invoices/${row.document_id}`}>{i18n.t('pur.openDocument')}</Link>}</dd>
      </dl>
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{i18n.t('pur.whKind')}</th>
              <th scope="col">{i18n.t('pur.whCode')}</th>
              <th scope="col" class="num">{i18n.t('doc.base')}</th>
              <th scope="col" class="num">{i18n.t('doc.taxRate')}</th>
              <th scope="col" class="num">{i18n.t('pur.amount')}</th>
            </tr>
          </thead>
          <tbody>
            {(row.lines ?? []).map((line, index) => (
              <tr key={index}>
                <td>{line.kind}</td>
                <td>{line.code}</td>
                <td class="num">{money(line.base)}</td>
                <td class="num">{i18n.decimal(line.rate ?? '0', 0, 2)} %</td>
                <td class="num">{money(line.amount)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={4}>
                {i18n.t('doc.total')}
              </th>
              <td class="num" data-total="total">
                {money(row.total)}
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
      {user.tenant.modules.includes('einvoicing') && can(user, 'einvoicing:read') && <EInvoicePanel withholdingId={id} />}
      <p>
        <Link to="/purchases/withholdings">{i18n.t('pur.backToList')}</Link>
      </p>
    </section>
  );
}

/** Pay a recorded supplier invoice (all or part of what is due), through the outbox. */
function PurchasePaymentForm({ id, due, label, onPaid }: { id: string; due: string; label: string; onPaid: (doc: PurchaseDocument) => void }) {
  const i18n = useI18n();
  const { outbox } = useOffline();
  const [amount, setAmount] = useState(() => (due ? i18n.decimal(due, 2, 2) : ''));
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const pay = async (event: Event) => {
    event.preventDefault();
    if (!outbox) return;
    const value = i18n.parseDecimal(amount);
    if (value === null) {
      setProblem({ message: i18n.t('form.errorSummary'), fields: { amount: [amount.trim() ? i18n.t('form.notANumber') : i18n.t('form.required')] } });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const result = await submitWrite<PurchaseDocument>(outbox, {
        method: 'POST',
        path: purchases.path('invoices', id, 'payments'),
        body: { amount: value },
        label: i18n.t('pur.outboxPayment', { name: label }),
      });
      if (result.queued) setFlash(i18n.t('offline.queued'), 'warning');
      else {
        onPaid(result.data);
        setAmount(result.data.amount_due ? i18n.decimal(result.data.amount_due, 2, 2) : '');
      }
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form form--inline card" noValidate onSubmit={pay}>
      <FormAlert problem={problem} />
      <Field id="purchase-payment" label={i18n.t('pur.payAmount')} inputMode="decimal" value={amount} onValue={setAmount} errors={problem?.fields.amount} />
      <button type="submit" class="button button--primary" disabled={busy}>
        {i18n.t('pur.pay')}
      </button>
    </form>
  );
}
