/**
 * The import wizard: upload a CSV/XLSX of customers, suppliers or products, map its columns, validate
 * with a progress bar, fix the invalid rows in place (each fix is revalidated by the server at once),
 * promote with progress, and see the result with its lineage and an undo. Needs a connection.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  changedFields,
  errorMessages,
  IMPORT_FIELDS,
  imports,
  RUNNING_STATES,
  wizardStep,
  type ImportBatch,
  type ImportItem,
  type ImportKind,
  type LineageRow,
} from '../../api/imports';
import type { Page } from '../../api/resources';
import { Link, navigate } from '../../router';
import { FormAlert, toFormProblem, type FormProblem } from '../forms';
import type { MessageKey } from '../../i18n';
import { useI18n } from '../i18n-context';
import { can, PageHeader, SelectField } from '../kit';
import { useUser } from '../user-context';

/** A target field's name for people ("tax_id" -> "Identificación fiscal"); unknown fields as they are. */
function useFieldLabel(): (field: string) => string {
  const i18n = useI18n();
  return (field) => {
    const key = `imp.field.${field}` as MessageKey;
    const text = i18n.t(key);
    return text === key ? field : text;
  };
}

const KINDS: ImportKind[] = ['customers', 'suppliers', 'products', 'invoices', 'supplier_invoices'];
const POLL_MS = 700;

export function ImportsPage() {
  const i18n = useI18n();
  const user = useUser();
  const [kind, setKind] = useState<ImportKind>('customers');
  const [file, setFile] = useState<File | null>(null);
  const [batches, setBatches] = useState<Page<ImportBatch> | null>(null);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    imports.list({ page_size: 25, sort: '-created_at' }).then(setBatches, (error) => setProblem(toFormProblem(error, i18n)));
  }, []);

  const start = async (event: Event) => {
    event.preventDefault();
    if (!file) {
      setProblem({ message: i18n.t('form.errorSummary'), fields: { file: [i18n.t('form.required')] } });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const created = await imports.create({ kind, source_name: file.name }, crypto.randomUUID());
      await imports.upload(created.id, file);
      navigate(`/imports/${created.id}`);
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
      setBusy(false);
    }
  };

  return (
    <section class="page">
      <PageHeader title={i18n.t('nav.imports')} />
      <FormAlert problem={problem} />
      {can(user, 'imports:write') && (
        <form class="form card" noValidate onSubmit={start}>
          <h2>{i18n.t('imp.new')}</h2>
          <SelectField
            id="import-kind"
            label={i18n.t('imp.kind')}
            value={kind}
            onValue={(value) => setKind(value as ImportKind)}
            options={KINDS.map((value) => ({ value, label: i18n.t(`imp.kind.${value}` as 'imp.kind.customers') }))}
          />
          <div class={`field${problem?.fields.file ? ' field--invalid' : ''}`}>
            <label for="import-file">{i18n.t('imp.file')}</label>
            <input id="import-file" type="file" accept=".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
            <p class="field__hint">{i18n.t('imp.fileHint')}</p>
            {problem?.fields.file && <p class="field__error">{problem.fields.file.join(' ')}</p>}
          </div>
          <button type="submit" class="button button--primary" disabled={busy}>
            {i18n.t('imp.upload')}
          </button>
        </form>
      )}
      {batches && batches.items.length > 0 && (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{i18n.t('imp.file')}</th>
                <th scope="col">{i18n.t('imp.kind')}</th>
                <th scope="col">{i18n.t('doc.status')}</th>
                <th scope="col" class="num">{i18n.t('imp.rows')}</th>
              </tr>
            </thead>
            <tbody>
              {batches.items.map((row) => (
                <tr key={row.id}>
                  <td>
                    <Link to={`/imports/${row.id}`}>{row.source_name || row.id}</Link>
                  </td>
                  <td>{i18n.t(`imp.kind.${row.kind}` as 'imp.kind.customers')}</td>
                  <td>{i18n.t(`imp.state.${row.state}` as 'imp.state.created')}</td>
                  <td class="num">{row.total_items ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Progress({ value, label }: { value: number; label: string }) {
  return (
    <div class="progress">
      <label for="import-progress">{label}</label>
      <progress id="import-progress" max={100} value={value} aria-valuenow={value} aria-valuemin={0} aria-valuemax={100}>
        {value} %
      </progress>
      <span class="progress__value" data-progress={value}>
        {value} %
      </span>
    </div>
  );
}

export function ImportWizard({ id }: { id: string }) {
  const i18n = useI18n();
  const user = useUser();
  const [batch, setBatch] = useState<ImportBatch | null>(null);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = () =>
    imports.get(id).then(
      (loaded) => {
        setBatch(loaded);
        if (RUNNING_STATES.includes(loaded.state)) timer.current = setTimeout(() => void load(), POLL_MS);
      },
      (error) => setProblem(toFormProblem(error, i18n)),
    );
  useEffect(() => {
    void load();
    return () => {
      if (timer.current) clearTimeout(timer.current);
    };
  }, [id]);

  const run = async (action: () => Promise<ImportBatch>) => {
    setBusy(true);
    setProblem(null);
    try {
      const next = await action();
      setBatch(next);
      if (RUNNING_STATES.includes(next.state)) {
        if (timer.current) clearTimeout(timer.current);
        timer.current = setTimeout(() => void load(), POLL_MS);
      }
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      setBusy(false);
    }
  };

  if (!batch) return problem ? <FormAlert problem={problem} /> : <p>{i18n.t('app.loading')}</p>;
  const step = wizardStep(batch.state);
  const writable = can(user, 'imports:write');
  const counts = batch.counts ?? {};
  return (
    <section class="page">
      <PageHeader title={`${i18n.t('nav.imports')}: ${batch.source_name ?? ''}`}>
        <span class="badge" data-batch-state={batch.state}>
          {i18n.t(`imp.state.${batch.state}` as 'imp.state.created')}
        </span>
      </PageHeader>
      <ol class="steps" aria-label={i18n.t('imp.steps')}>
        {(['map', 'review', 'done'] as const).map((name) => (
          <li key={name} aria-current={step === name || (name === 'review' && step === 'validating') || (name === 'done' && step === 'promoting') ? 'step' : undefined}>
            {i18n.t(`imp.step.${name}`)}
          </li>
        ))}
      </ol>
      <FormAlert problem={problem} />
      {step === 'map' && <MappingStep batch={batch} busy={busy || !writable} onValidate={(mapping) => run(async () => (await imports.setMapping(id, mapping), imports.validate(id)))} />}
      {step === 'validating' && <Progress value={batch.progress ?? 0} label={i18n.t('imp.validating')} />}
      {step === 'promoting' && <Progress value={batch.progress ?? 0} label={i18n.t('imp.promoting')} />}
      {step === 'review' && (
        <>
          <p data-counts>
            {i18n.t('imp.counts', { valid: counts.valid ?? 0, invalid: counts.invalid ?? 0, skipped: counts.skipped ?? 0 })}
          </p>
          <InvalidRows batch={batch} writable={writable} onFixed={() => void load()} />
          {writable && (
            <div class="actions">
              <button type="button" class="button button--primary" disabled={busy || !(counts.valid ?? 0)} onClick={() => void run(() => imports.promote(id))}>
                {i18n.t('imp.promote', { n: counts.valid ?? 0 })}
              </button>
              <button type="button" class="button" disabled={busy} onClick={() => void run(() => imports.validate(id))}>
                {i18n.t('imp.revalidate')}
              </button>
            </div>
          )}
        </>
      )}
      {step === 'done' && <ResultStep batch={batch} writable={writable} busy={busy} onUndo={() => void run(() => imports.rollback(id))} />}
      {step === 'failed' && <p role="alert">{batch.error ?? i18n.t('error.unexpected')}</p>}
    </section>
  );
}

function MappingStep({ batch, busy, onValidate }: { batch: ImportBatch; busy: boolean; onValidate: (mapping: Record<string, string | null>) => void }) {
  const i18n = useI18n();
  const headers = batch.headers ?? Object.keys(batch.mapping ?? {});
  const [mapping, setMapping] = useState<Record<string, string | null>>(() => Object.fromEntries(headers.map((h) => [h, batch.mapping?.[h] ?? null])));
  const fields = IMPORT_FIELDS[batch.kind];
  const fieldLabel = useFieldLabel();
  return (
    <form class="form card" noValidate onSubmit={(event) => (event.preventDefault(), onValidate(mapping))}>
      <h2>{i18n.t('imp.mapping')}</h2>
      <p class="muted">{i18n.t('imp.mappingHelp', { n: batch.total_items ?? 0 })}</p>
      <div class="mapping">
        {headers.map((header, index) => (
          <SelectField
            key={header}
            id={`map-${index}`}
            label={header}
            value={mapping[header] ?? ''}
            onValue={(value) => setMapping((current) => ({ ...current, [header]: value || null }))}
            options={[{ value: '', label: i18n.t('imp.ignore') }, ...fields.map((field) => ({ value: field, label: fieldLabel(field) }))]}
          />
        ))}
      </div>
      <button type="submit" class="button button--primary" disabled={busy}>
        {i18n.t('imp.validate')}
      </button>
    </form>
  );
}

function InvalidRows({ batch, writable, onFixed }: { batch: ImportBatch; writable: boolean; onFixed: () => void }) {
  const i18n = useI18n();
  const [page, setPage] = useState<Page<ImportItem> | null>(null);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const reload = () => imports.items(batch.id, { status: 'invalid', page_size: 50, sort: 'row_number' }).then(setPage, (error) => setProblem(toFormProblem(error, i18n)));
  useEffect(() => void reload(), [batch.id]);
  if (!page) return problem ? <FormAlert problem={problem} /> : null;
  return (
    <section class="card" aria-labelledby="invalid-title">
      <h2 id="invalid-title">{i18n.t('imp.invalidRows')}</h2>
      <FormAlert problem={problem} />
      {page.items.length === 0 ? (
        <p class="muted">{i18n.t('imp.noInvalid')}</p>
      ) : (
        <>
          <a href={imports.errorsCsvUrl(batch.id)} download>
            {i18n.t('imp.errorsCsv')}
          </a>
          {page.items.map((item) => (
            <InvalidRow
              key={item.id}
              batch={batch}
              item={item}
              writable={writable}
              onFixed={(fixed) => {
                setPage((current) => current && { ...current, items: current.items.filter((row) => row.id !== fixed.id || fixed.status === 'invalid').map((row) => (row.id === fixed.id ? fixed : row)) });
                onFixed();
              }}
            />
          ))}
        </>
      )}
    </section>
  );
}

function InvalidRow({ batch, item, writable, onFixed }: { batch: ImportBatch; item: ImportItem; writable: boolean; onFixed: (item: ImportItem) => void }) {
  const i18n = useI18n();
  const errors = item.errors ?? {};
  const known = new Set(IMPORT_FIELDS[batch.kind]);
  const editable = Object.keys(errors).filter((field) => known.has(field));
  const general = Object.entries(errors).filter(([field]) => !known.has(field));
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(editable.map((field) => [field, item.data?.[field] === null || item.data?.[field] === undefined ? '' : String(item.data[field])])),
  );
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async (event: Event) => {
    event.preventDefault();
    const changes = changedFields(item.data, values);
    if (!Object.keys(changes).length) return;
    setBusy(true);
    setProblem(null);
    try {
      onFixed(await imports.fixItem(batch.id, item.id, changes));
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      setBusy(false);
    }
  };
  const label = i18n.t('imp.rowN', { n: item.row_number });
  const fieldLabel = useFieldLabel();
  return (
    <div class="import-row" role="group" aria-label={label} data-row={item.row_number}>
    <form noValidate onSubmit={save}>
      <h3>{label}</h3>
      <FormAlert problem={problem} />
      {general.map(([field, messages]) => (
        <p key={field} class="field__error">
          {errorMessages(messages).join(' ')}
        </p>
      ))}
      {editable.map((field) => {
        const inputId = `row-${item.id}-${field.replace(/\./g, '-')}`;
        const errorId = `${inputId}-error`;
        return (
          <div class="field field--invalid" key={field}>
            <label for={inputId}>{fieldLabel(field)}</label>
            <input
              id={inputId}
              value={values[field] ?? ''}
              aria-invalid="true"
              aria-describedby={errorId}
              disabled={!writable}
              onInput={(e) => setValues((current) => ({ ...current, [field]: e.currentTarget.value }))}
            />
            <p class="field__error" id={errorId}>
              {errorMessages(errors[field]).join(' ')}
            </p>
          </div>
        );
      })}
      {writable && editable.length > 0 && (
        <button type="submit" class="button" disabled={busy}>
          {i18n.t('imp.fix')}
        </button>
      )}
    </form>
    </div>
  );
}

const ENTITY_PATHS: Record<string, string> = { customer: '/customers', supplier: '/suppliers', product: '/products', customers: '/customers', suppliers: '/suppliers', products: '/products', sales_invoice: '/invoices', supplier_invoice: '/purchases/invoices' };

function ResultStep({ batch, writable, busy, onUndo }: { batch: ImportBatch; writable: boolean; busy: boolean; onUndo: () => void }) {
  const i18n = useI18n();
  const [lineage, setLineage] = useState<Page<LineageRow> | null>(null);
  useEffect(() => {
    imports.lineage(batch.id, { page_size: 50 }).then(setLineage, () => setLineage(null));
  }, [batch.id, batch.state]);
  const counts = batch.counts ?? {};
  const undone = batch.state === 'rolled_back';
  const translated = (key: string, fallback: string) => {
    const text = i18n.t(key as MessageKey);
    return text === key ? fallback : text;
  };
  const entityName = (row: LineageRow) => `${translated(`imp.entityName.${row.entity_type}`, row.entity_type)} ${row.entity_id.slice(0, 8)}`;
  return (
    <section class="card" aria-labelledby="result-title">
      <h2 id="result-title">{i18n.t(undone ? 'imp.undone' : 'imp.result')}</h2>
      <p data-counts>{i18n.t('imp.resultCounts', { promoted: counts.promoted ?? batch.promoted_items ?? 0, invalid: counts.invalid ?? 0, skipped: counts.skipped ?? 0 })}</p>
      {lineage && lineage.items.length > 0 && (
        <div class="table-wrap">
          <table class="table">
            <caption>{i18n.t('imp.lineage', { n: lineage.total })}</caption>
            <thead>
              <tr>
                <th scope="col">{i18n.t('imp.entity')}</th>
                <th scope="col">{i18n.t('imp.action')}</th>
              </tr>
            </thead>
            <tbody>
              {lineage.items.map((row) => (
                <tr key={`${row.item_id}-${row.entity_id}`}>
                  <td>
                    {ENTITY_PATHS[row.entity_type] && !undone ? <Link to={`${ENTITY_PATHS[row.entity_type]}/${row.entity_id}`}>{entityName(row)}</Link> : entityName(row)}
                  </td>
                  <td>{translated(`imp.actionName.${row.action}`, row.action)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {writable && !undone && (
        <button type="button" class="button button--danger" disabled={busy} onClick={() => window.confirm(i18n.t('imp.undoConfirm')) && onUndo()}>
          {i18n.t('imp.undo')}
        </button>
      )}
      <p>
        <Link to="/imports">{i18n.t('imp.back')}</Link>
      </p>
    </section>
  );
}
