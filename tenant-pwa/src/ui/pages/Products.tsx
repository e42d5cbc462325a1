/** Products: list (search, sort, pages; offline from the cache) and the create/edit form. */
import { useEffect, useState } from 'preact/hooks';
import { API_PREFIX, NetworkError } from '../../api/http';
import { products, TAX_CATEGORIES, type Product, type ProductInput } from '../../api/resources';
import type { CachedRecord } from '../../offline/cache';
import { loadList, pendingCreates, submitWrite, type ListResult, type PendingRecord } from '../../offline/sync';
import { Link, navigate } from '../../router';
import { Field, FormAlert, toFormProblem, type FormProblem } from '../forms';
import { useI18n } from '../i18n-context';
import { Flash, OfflineNote, PageHeader, Pager, PendingBadge, SelectField, setFlash, SortHeader, useDebounced } from '../kit';
import { useOffline } from '../offline-context';
import { useUser } from '../user-context';

type Row = Product & CachedRecord;

export function ProductsPage() {
  const i18n = useI18n();
  const user = useUser();
  const { cache, outbox, counts } = useOffline();
  const [q, setQ] = useState('');
  const [sort, setSort] = useState('name');
  const [page, setPage] = useState(1);
  const [result, setResult] = useState<ListResult<Row> | null>(null);
  const [pending, setPending] = useState<PendingRecord[]>([]);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const search = useDebounced(q, 300);

  useEffect(() => setPage(1), [search, sort]);
  useEffect(() => {
    let cancelled = false;
    const query = { q: search || undefined, sort, page, page_size: 25 };
    loadList<Row>(() => products.list(query) as Promise<ListResult<Row>>, cache, 'products', {
      ...query,
      q: search,
      pageSize: 25,
      searchFields: ['name', 'sku', 'barcode', 'category'],
    }).then(
      (loaded) => !cancelled && (setResult(loaded), setProblem(null)),
      (error) => !cancelled && setProblem(toFormProblem(error, i18n)),
    );
    return () => {
      cancelled = true;
    };
  }, [search, sort, page, cache, counts.pending, counts.failed]);

  useEffect(() => {
    if (outbox) pendingCreates(outbox, `${API_PREFIX}/products`).then(setPending, () => setPending([]));
  }, [outbox, counts.pending, counts.failed]);

  return (
    <section class="page">
      <PageHeader title={i18n.t('nav.products')}>
        <Link to="/products/new" class="button button--primary">
          {i18n.t('product.new')}
        </Link>
      </PageHeader>
      <Flash />
      <FormAlert problem={problem} />
      {result?.offline && <OfflineNote syncedAt={result.syncedAt} />}
      <div class="toolbar">
        <Field id="products-search" type="search" label={i18n.t('list.search')} value={q} onValue={setQ} />
      </div>
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <SortHeader label={i18n.t('product.sku')} field="sku" sort={sort} onSort={setSort} />
              <SortHeader label={i18n.t('product.name')} field="name" sort={sort} onSort={setSort} />
              <SortHeader label={i18n.t('product.unitPrice')} field="unit_price" sort={sort} onSort={setSort} />
              <th scope="col">{i18n.t('product.taxCategory')}</th>
            </tr>
          </thead>
          <tbody>
            {pending.map((row) => (
              <tr key={row.id} class="row--pending">
                <td>{String(row.sku ?? '')}</td>
                <td>
                  {String(row.name ?? '')} <PendingBadge state={row._pending} />
                </td>
                <td class="num">{typeof row.unit_price === 'string' ? i18n.money(row.unit_price, user.tenant.currency) : ''}</td>
                <td>{String(row.tax_category ?? '')}</td>
              </tr>
            ))}
            {result?.items.map((row) => (
              <tr key={row.id}>
                <td>{row.sku}</td>
                <td>
                  <Link to={`/products/${row.id}`}>{row.name}</Link>
                </td>
                <td class="num">{row.unit_price ? i18n.money(row.unit_price, user.tenant.currency) : ''}</td>
                <td>{row.tax_category ? i18n.t(`taxCategory.${row.tax_category}` as 'taxCategory.general') : ''}</td>
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

interface ProductFormState {
  sku: string;
  name: string;
  kind: string;
  unit: string;
  unit_price: string;
  tax_category: string;
  description: string;
}

function toState(product: Product | null, i18n: { decimal: (v: string, a?: number, b?: number) => string }): ProductFormState {
  return {
    sku: product?.sku ?? '',
    name: product?.name ?? '',
    kind: product?.kind ?? 'product',
    unit: product?.unit ?? '',
    unit_price: product?.unit_price ? i18n.decimal(product.unit_price, 2, 4) : '',
    tax_category: product?.tax_category ?? 'general',
    description: product?.description ?? '',
  };
}

export function ProductFormPage({ id }: { id?: string }) {
  const i18n = useI18n();
  const { outbox, cache } = useOffline();
  const [product, setProduct] = useState<Product | null>(null);
  const [state, setState] = useState<ProductFormState>(() => toState(null, i18n));
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!id) return;
    products
      .get(id)
      .catch(async (error) => {
        const cached = error instanceof NetworkError ? await cache?.get('products', id) : undefined;
        if (cached) return cached as unknown as Product;
        throw error;
      })
      .then(
        (loaded) => {
          setProduct(loaded);
          setState(toState(loaded, i18n));
        },
        (error) => setProblem(toFormProblem(error, i18n)),
      );
  }, [id]);

  const set = (key: keyof ProductFormState) => (value: string) => setState((current) => ({ ...current, [key]: value }));
  const fieldErrors = (key: string) => problem?.fields[key];

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const missing: Record<string, string[]> = {};
    for (const key of ['sku', 'name', 'unit_price'] as const) if (!state[key].trim()) missing[key] = [i18n.t('form.required')];
    const price = i18n.parseDecimal(state.unit_price);
    if (state.unit_price.trim() && price === null) missing.unit_price = [i18n.t('form.notANumber')];
    if (Object.keys(missing).length) {
      setProblem({ message: i18n.t('form.errorSummary'), fields: missing });
      return;
    }
    if (!outbox) return;
    const body: Record<string, unknown> = {
      sku: state.sku.trim(),
      name: state.name.trim(),
      kind: state.kind,
      unit_price: price,
      tax_category: state.tax_category,
    };
    if (state.unit.trim()) body.unit = state.unit.trim();
    if (state.description.trim()) body.description = state.description.trim();
    else if (product) body.description = null;
    setBusy(true);
    setProblem(null);
    try {
      const label = i18n.t('product.outboxLabel', { name: state.name.trim() });
      const result = await submitWrite<Product>(
        outbox,
        product
          ? { method: 'PATCH', path: `${API_PREFIX}/products/${product.id}`, body: { ...body, version: product.version }, label }
          : { method: 'POST', path: `${API_PREFIX}/products`, body: body as unknown as ProductInput, label },
      );
      if (result.queued) setFlash(i18n.t('offline.queued'), 'warning');
      else {
        await cache?.upsert('products', [result.data as unknown as CachedRecord]).catch(() => undefined);
        setFlash(i18n.t('form.saved'));
      }
      navigate('/products');
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="page">
      <PageHeader title={product ? product.name ?? '' : i18n.t('product.new')} />
      <form class="form" onSubmit={onSubmit} noValidate>
        <FormAlert problem={problem} />
        <div class="form__row">
          <Field id="sku" label={i18n.t('product.sku')} value={state.sku} onValue={set('sku')} errors={fieldErrors('sku')} required />
          <Field id="name" label={i18n.t('product.name')} value={state.name} onValue={set('name')} errors={fieldErrors('name')} required />
        </div>
        <div class="form__row">
          <SelectField
            id="kind"
            label={i18n.t('product.kind')}
            value={state.kind}
            onValue={set('kind')}
            options={[
              { value: 'product', label: i18n.t('product.kind.product') },
              { value: 'service', label: i18n.t('product.kind.service') },
            ]}
            errors={fieldErrors('kind')}
          />
          <Field id="unit" label={i18n.t('product.unit')} value={state.unit} onValue={set('unit')} errors={fieldErrors('unit')} />
          <Field id="unit_price" label={i18n.t('product.unitPrice')} inputMode="decimal" value={state.unit_price} onValue={set('unit_price')} errors={fieldErrors('unit_price')} required />
          <SelectField
            id="tax_category"
            label={i18n.t('product.taxCategory')}
            value={state.tax_category}
            onValue={set('tax_category')}
            options={TAX_CATEGORIES.map((value) => ({ value, label: i18n.t(`taxCategory.${value}`) }))}
            errors={fieldErrors('tax_category')}
          />
        </div>
        <Field id="description" label={i18n.t('product.description')} value={state.description} onValue={set('description')} errors={fieldErrors('description')} />
        <div class="actions">
          <button type="submit" class="button button--primary" disabled={busy}>
            {i18n.t('form.save')}
          </button>
          <Link to="/products" class="button">
            {i18n.t('form.cancel')}
          </Link>
        </div>
      </form>
    </section>
  );
}
