/** Customers and suppliers: list (search, sort, pages; offline from the cache) and the create/edit form. */
import { useEffect, useState } from 'preact/hooks';
import { API_PREFIX, NetworkError } from '../../api/http';
import { parties, TAX_ID_TYPES, type CustomerInput, type Party, type PartyKind } from '../../api/resources';
import type { CachedRecord } from '../../offline/cache';
import { loadList, pendingCreates, submitWrite, type ListResult, type PendingRecord } from '../../offline/sync';
import { Link, navigate } from '../../router';
import { Field, FormAlert, toFormProblem, type FormProblem } from '../forms';
import { useI18n } from '../i18n-context';
import { Flash, OfflineNote, PageHeader, Pager, PendingBadge, SelectField, setFlash, SortHeader, TextAreaField, useDebounced } from '../kit';
import { useOffline } from '../offline-context';
import { useUser } from '../user-context';

type Row = Party & CachedRecord;

export function PartiesPage({ kind }: { kind: PartyKind }) {
  const i18n = useI18n();
  const { cache, outbox, counts } = useOffline();
  const [q, setQ] = useState('');
  const [sort, setSort] = useState('legal_name');
  const [page, setPage] = useState(1);
  const [result, setResult] = useState<ListResult<Row> | null>(null);
  const [pending, setPending] = useState<PendingRecord[]>([]);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const search = useDebounced(q, 300);

  useEffect(() => setPage(1), [search, sort]);
  useEffect(() => {
    let cancelled = false;
    const query = { q: search || undefined, sort, page, page_size: 25 };
    loadList<Row>(() => parties.list(kind, query) as Promise<ListResult<Row>>, kind === 'customers' ? cache : null, 'customers', {
      ...query,
      q: search,
      pageSize: 25,
      searchFields: ['legal_name', 'trade_name', 'tax_id', 'email'],
    }).then(
      (loaded) => !cancelled && (setResult(loaded), setProblem(null)),
      (error) => !cancelled && setProblem(toFormProblem(error, i18n)),
    );
    return () => {
      cancelled = true;
    };
  }, [kind, search, sort, page, cache, counts.pending, counts.failed]);

  useEffect(() => {
    if (outbox) pendingCreates(outbox, `${API_PREFIX}/${kind}`).then(setPending, () => setPending([]));
  }, [outbox, kind, counts.pending, counts.failed]);

  const title = i18n.t(kind === 'customers' ? 'nav.customers' : 'nav.suppliers');
  return (
    <section class="page">
      <PageHeader title={title}>
        <Link to={`/${kind}/new`} class="button button--primary">
          {i18n.t(kind === 'customers' ? 'party.newCustomer' : 'party.newSupplier')}
        </Link>
      </PageHeader>
      <Flash />
      <FormAlert problem={problem} />
      {result?.offline && <OfflineNote syncedAt={result.syncedAt} />}
      <div class="toolbar">
        <Field id={`${kind}-search`} type="search" label={i18n.t('list.search')} value={q} onValue={setQ} />
      </div>
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <SortHeader label={i18n.t('party.legalName')} field="legal_name" sort={sort} onSort={setSort} />
              <SortHeader label={i18n.t('party.taxId')} field="tax_id" sort={sort} onSort={setSort} />
              <th scope="col">{i18n.t('party.email')}</th>
              <th scope="col">{i18n.t('party.country')}</th>
            </tr>
          </thead>
          <tbody>
            {pending.map((row) => (
              <tr key={row.id} class="row--pending">
                <td>
                  {String(row.legal_name ?? '')} <PendingBadge state={row._pending} />
                </td>
                <td>{String(row.tax_id ?? '')}</td>
                <td>{String(row.email ?? '')}</td>
                <td>{String(row.country ?? '')}</td>
              </tr>
            ))}
            {result?.items.map((row) => (
              <tr key={row.id}>
                <td>
                  <Link to={`/${kind}/${row.id}`}>{row.legal_name}</Link>
                </td>
                <td>{row.tax_id}</td>
                <td>{row.email ?? ''}</td>
                <td>{row.country}</td>
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

interface PartyFormState {
  legal_name: string;
  trade_name: string;
  country: string;
  tax_id_type: string;
  tax_id: string;
  email: string;
  phone: string;
  payment_terms_days: string;
  notes: string;
}

function toState(party: Party | null, country: string): PartyFormState {
  return {
    legal_name: party?.legal_name ?? '',
    trade_name: party?.trade_name ?? '',
    country: party?.country ?? country,
    tax_id_type: party?.tax_id_type ?? '',
    tax_id: party?.tax_id ?? '',
    email: party?.email ?? '',
    phone: party?.phone ?? '',
    payment_terms_days: party?.payment_terms_days !== undefined ? String(party.payment_terms_days) : '',
    notes: party?.notes ?? '',
  };
}

/** The body the API expects: empty optional fields are left out (or null when editing). */
export function partyBody(state: PartyFormState, editing: boolean): CustomerInput {
  const body: Record<string, unknown> = { legal_name: state.legal_name.trim(), tax_id: state.tax_id.trim(), country: state.country };
  const optional = (key: keyof PartyFormState) => {
    const value = state[key].trim();
    if (value) body[key] = value;
    else if (editing) body[key] = null;
  };
  optional('trade_name');
  optional('email');
  optional('phone');
  optional('notes');
  if (state.tax_id_type) body.tax_id_type = state.tax_id_type;
  if (state.payment_terms_days.trim()) body.payment_terms_days = Number(state.payment_terms_days);
  return body as unknown as CustomerInput;
}

export function PartyFormPage({ kind, id }: { kind: PartyKind; id?: string }) {
  const i18n = useI18n();
  const user = useUser();
  const { outbox, cache } = useOffline();
  const [party, setParty] = useState<Party | null>(null);
  const [state, setState] = useState<PartyFormState>(() => toState(null, user.tenant.country));
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [loading, setLoading] = useState(Boolean(id));

  useEffect(() => {
    if (!id) return;
    parties
      .get(kind, id)
      .catch(async (error) => {
        const cached = error instanceof NetworkError && kind === 'customers' ? await cache?.get('customers', id) : undefined;
        if (cached) return cached as unknown as Party;
        throw error;
      })
      .then(
        (loaded) => {
          setParty(loaded);
          setState(toState(loaded, user.tenant.country));
        },
        (error) => setProblem(toFormProblem(error, i18n)),
      )
      .finally(() => setLoading(false));
  }, [kind, id]);

  const set = (key: keyof PartyFormState) => (value: string) => setState((current) => ({ ...current, [key]: value }));
  const fieldErrors = (key: string) => problem?.fields[key];

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const missing: Record<string, string[]> = {};
    if (!state.legal_name.trim()) missing.legal_name = [i18n.t('form.required')];
    if (!state.tax_id.trim()) missing.tax_id = [i18n.t('form.required')];
    if (Object.keys(missing).length) {
      setProblem({ message: i18n.t('form.errorSummary'), fields: missing });
      return;
    }
    if (!outbox) return;
    setBusy(true);
    setProblem(null);
    const body = partyBody(state, Boolean(party));
    const label = i18n.t(kind === 'customers' ? 'party.outboxCustomer' : 'party.outboxSupplier', { name: body.legal_name });
    try {
      const result = await submitWrite<Party>(
        outbox,
        party
          ? { method: 'PATCH', path: `${API_PREFIX}/${kind}/${party.id}`, body: { ...body, version: party.version }, label }
          : { method: 'POST', path: `${API_PREFIX}/${kind}`, body, label },
      );
      if (result.queued) setFlash(i18n.t('offline.queued'), 'warning');
      else {
        if (kind === 'customers') await cache?.upsert('customers', [result.data as unknown as CachedRecord]).catch(() => undefined);
        setFlash(i18n.t('form.saved'));
      }
      navigate(`/${kind}`);
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      setBusy(false);
    }
  };

  const idTypes = TAX_ID_TYPES[state.country === 'EC' ? 'EC' : 'ES'];
  const title = party
    ? party.legal_name ?? ''
    : i18n.t(kind === 'customers' ? 'party.newCustomer' : 'party.newSupplier');
  if (loading) return <p>{i18n.t('app.loading')}</p>;
  return (
    <section class="page">
      <PageHeader title={title} />
      <form class="form" onSubmit={onSubmit} noValidate>
        <FormAlert problem={problem} />
        <Field id="legal_name" label={i18n.t('party.legalName')} value={state.legal_name} onValue={set('legal_name')} errors={fieldErrors('legal_name')} required />
        <Field id="trade_name" label={i18n.t('party.tradeName')} value={state.trade_name} onValue={set('trade_name')} errors={fieldErrors('trade_name')} />
        <div class="form__row">
          <SelectField
            id="country"
            label={i18n.t('party.country')}
            value={state.country}
            onValue={(value) => setState((current) => ({ ...current, country: value, tax_id_type: '' }))}
            options={[
              { value: 'ES', label: i18n.t('country.ES') },
              { value: 'EC', label: i18n.t('country.EC') },
            ]}
            errors={fieldErrors('country')}
          />
          <SelectField
            id="tax_id_type"
            label={i18n.t('party.taxIdType')}
            value={state.tax_id_type}
            onValue={set('tax_id_type')}
            options={[{ value: '', label: i18n.t('party.taxIdTypeAuto') }, ...idTypes.map((type) => ({ value: type, label: i18n.t(`taxIdType.${type}` as 'taxIdType.nif') }))]}
            errors={fieldErrors('tax_id_type')}
          />
          <Field id="tax_id" label={i18n.t('party.taxId')} value={state.tax_id} onValue={set('tax_id')} errors={fieldErrors('tax_id')} required />
        </div>
        <div class="form__row">
          <Field id="email" type="email" label={i18n.t('party.email')} value={state.email} onValue={set('email')} errors={fieldErrors('email')} />
          <Field id="phone" type="tel" label={i18n.t('party.phone')} value={state.phone} onValue={set('phone')} errors={fieldErrors('phone')} />
          <Field id="payment_terms_days" label={i18n.t('party.paymentTerms')} inputMode="numeric" value={state.payment_terms_days} onValue={set('payment_terms_days')} errors={fieldErrors('payment_terms_days')} />
        </div>
        <TextAreaField id="notes" label={i18n.t('party.notes')} value={state.notes} onValue={set('notes')} errors={fieldErrors('notes')} />
        <div class="actions">
          <button type="submit" class="button button--primary" disabled={busy}>
            {i18n.t('form.save')}
          </button>
          <Link to={`/${kind}`} class="button">
            {i18n.t('form.cancel')}
          </Link>
        </div>
      </form>
    </section>
  );
}
