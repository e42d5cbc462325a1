/**
 * Electronic invoicing in the invoice detail (state, the authority's messages, clave de acceso or huella,
 * attempts; retry for owners; XML; RIDE for Ecuador) and the void form (owner, reason), plus the
 * e-invoicing settings and signing certificate section of Settings (owner).
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, API_PREFIX } from '../../api/http';
import { einvoice, einvoiceBase, type Certificate, type EInvoice, type EInvoicingSettings } from '../../api/purchases';
import type { SalesDocument } from '../../api/resources';
import { submitWrite } from '../../offline/sync';
import { Field, FormAlert, Notice, toFormProblem, type FormProblem } from '../forms';
import { useI18n } from '../i18n-context';
import { can, SelectField } from '../kit';
import { useOffline } from '../offline-context';
import { useUser } from '../user-context';

/** Badge tone of an e-invoicing state: final good, final bad, in progress. */
export function einvoiceTone(state: string): 'success' | 'danger' | 'pending' {
  if (state === 'authorized' || state === 'accepted' || state === 'recorded') return 'success';
  if (state === 'rejected' || state === 'failed') return 'danger';
  return 'pending';
}

/** The authority's messages as lines of text ("code: message (info)"), whatever keys each carries. */
export function einvoiceMessages(messages: readonly Record<string, string>[] | null | undefined): string[] {
  return (messages ?? []).map((message) => {
    const code = message.code ?? message.identificador ?? message.codigo ?? '';
    const text = message.message ?? message.mensaje ?? message.description ?? message.descripcion ?? '';
    const extra = message.additional_information ?? message.informacionAdicional ?? message.info ?? '';
    const known = [code, text, extra].some(Boolean);
    const main = known ? [code, text].filter(Boolean).join(': ') : Object.values(message).join(' · ');
    return extra ? `${main} (${extra})` : main;
  });
}

export function EInvoicePanel({ invoiceId, withholdingId }: { invoiceId?: string; withholdingId?: string }) {
  const base = withholdingId ? einvoiceBase.withholding(withholdingId) : einvoiceBase.invoice(invoiceId ?? '');
  const i18n = useI18n();
  const user = useUser();
  const [state, setState] = useState<EInvoice | null>(null);
  const [missing, setMissing] = useState(false);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    einvoice.get(base).then(setState, (error) => {
      if (error instanceof ApiError && error.status === 404) setMissing(true);
      else setProblem(toFormProblem(error, i18n));
    });
  }, [base]);
  const retry = async () => {
    setBusy(true);
    setProblem(null);
    try {
      setState(await einvoice.retry(base));
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      setBusy(false);
    }
  };
  if (missing || state?.state === 'not_applicable') return null;
  const current = String(state?.state ?? '');
  const lines = einvoiceMessages(state?.messages as Record<string, string>[] | undefined);
  const ecuador = state?.channel === 'sri' || user.tenant.country === 'EC';
  return (
    <section class="card" aria-labelledby="einvoice-title" aria-busy={state ? 'false' : 'true'}>
      <h2 id="einvoice-title">{i18n.t('einv.title')}</h2>
      <FormAlert problem={problem} />
      {state && (
        <>
          <dl class="facts">
            <dt>{i18n.t('einv.state')}</dt>
            <dd>
              <span class={`badge badge--${einvoiceTone(current)}`} data-einvoice-state={current}>
                {i18n.t(`einv.state.${current}` as 'einv.state.pending')}
              </span>
            </dd>
            {state.access_key && (
              <>
                <dt>{i18n.t('einv.accessKey')}</dt>
                <dd class="mono">{state.access_key}</dd>
              </>
            )}
            {state.authorization_number && (
              <>
                <dt>{i18n.t('einv.authorization')}</dt>
                <dd class="mono">{state.authorization_number}</dd>
              </>
            )}
            {state.huella && (
              <>
                <dt>{i18n.t('einv.huella')}</dt>
                <dd class="mono">{state.huella}</dd>
              </>
            )}
            <dt>{i18n.t('einv.attempts')}</dt>
            <dd>
              {state.attempts ?? 0} / {state.max_attempts ?? '—'}
            </dd>
            {state.next_attempt_at && (
              <>
                <dt>{i18n.t('einv.nextAttempt')}</dt>
                <dd>{i18n.dateTime(state.next_attempt_at)}</dd>
              </>
            )}
            {state.last_error && (
              <>
                <dt>{i18n.t('einv.lastError')}</dt>
                <dd>{state.last_error}</dd>
              </>
            )}
          </dl>
          {lines.length > 0 && (
            <ul class="messages" aria-label={i18n.t('einv.messages')}>
              {lines.map((line, index) => (
                <li key={index}>{line}</li>
              ))}
            </ul>
          )}
          <div class="actions">
            {current !== 'pending' && (
            <a class="button" href={einvoice.xmlUrl(base)} download>
              {i18n.t('einv.xml')}
            </a>
            )}
            {ecuador && (
              <a class="button" href={einvoice.rideUrl(base)} download>
                {i18n.t('einv.ride')}
              </a>
            )}
            {can(user, 'einvoicing:admin') && ['retry_wait', 'rejected', 'failed'].includes(current) && (
              <button type="button" class="button" disabled={busy} onClick={() => void retry()}>
                {i18n.t('einv.retry')}
              </button>
            )}
          </div>
        </>
      )}
    </section>
  );
}

/** Void an issued invoice (owner; a reason is required). */
export function VoidForm({ invoiceId, label, onVoided }: { invoiceId: string; label: string; onVoided: (doc: SalesDocument) => void }) {
  const i18n = useI18n();
  const { outbox } = useOffline();
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState(false);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!outbox) return;
    if (!reason.trim()) {
      setProblem({ message: i18n.t('form.errorSummary'), fields: { reason: [i18n.t('form.required')] } });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const result = await submitWrite<SalesDocument>(outbox, {
        method: 'POST',
        path: `${API_PREFIX}/invoices/${invoiceId}/void`,
        body: { reason: reason.trim() },
        label: i18n.t('einv.outboxVoid', { name: label }),
      });
      if (!result.queued) {
        setOpen(false);
        setDone(true);
        onVoided(result.data);
      } else setProblem({ message: i18n.t('offline.queued'), fields: {} });
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      setBusy(false);
    }
  };
  if (done) return <Notice tone="success">{i18n.t('einv.voided')}</Notice>;
  return (
    <>
      <button type="button" class="button button--danger" aria-expanded={open ? 'true' : 'false'} onClick={() => setOpen(!open)}>
        {i18n.t('einv.void')}
      </button>
      {open && (
        <form class="form form--inline" onSubmit={submit} noValidate>
          <FormAlert problem={problem} />
          <Field id="void-reason" label={i18n.t('einv.voidReason')} value={reason} onValue={setReason} errors={problem?.fields.reason} required />
          <button type="submit" class="button button--danger" disabled={busy}>
            {i18n.t('einv.confirmVoid')}
          </button>
        </form>
      )}
    </>
  );
}

const EC_KEYS: (keyof EInvoicingSettings)[] = [
  'trade_name', 'sri_environment', 'sri_establishment', 'sri_emission_point', 'sri_payment_method', 'head_office_address',
  'establishment_address', 'is_accounting_required', 'special_taxpayer_number', 'rimpe_label',
];
const ES_KEYS: (keyof EInvoicingSettings)[] = ['verifactu_submission_enabled'];

const SRI_PAYMENT_METHODS = ['01', '15', '16', '17', '18', '19', '20', '21'] as const;

/** Settings → e-invoicing: SRI/VERI*FACTU settings and the signing certificate (write: owner). */
export function EInvoicingSection() {
  const i18n = useI18n();
  const user = useUser();
  const ecuador = user.tenant.country === 'EC';
  const admin = can(user, 'einvoicing:admin');
  const [settings, setSettings] = useState<EInvoicingSettings | null>(null);
  const [certificate, setCertificate] = useState<Certificate | null | undefined>(undefined);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [saved, setSaved] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    einvoice.settings().then(setSettings, (error) => setProblem(toFormProblem(error, i18n)));
    if (can(user, 'einvoicing:write'))
      einvoice.certificate().then(setCertificate, (error) => setCertificate(error instanceof ApiError && error.status === 404 ? null : undefined));
  }, []);

  const set = (changes: Partial<EInvoicingSettings>) => setSettings((current) => ({ ...(current ?? {}), ...changes }));
  const save = async (event: Event) => {
    event.preventDefault();
    if (!settings) return;
    setProblem(null);
    setSaved('');
    const keys = ecuador ? EC_KEYS : ES_KEYS;
    // Only what this country uses and has a value: the API validates each field it receives.
    const body = Object.fromEntries(keys.filter((key) => settings[key] !== undefined && settings[key] !== null).map((key) => [key, settings[key]])) as EInvoicingSettings;
    try {
      setSettings(await einvoice.saveSettings(body));
      setSaved(i18n.t('form.saved'));
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    }
  };
  const upload = async (event: Event) => {
    event.preventDefault();
    const missing: Record<string, string[]> = {};
    if (!file) missing.file = [i18n.t('form.required')];
    if (!password) missing.password = [i18n.t('form.required')];
    if (Object.keys(missing).length) {
      setProblem({ message: i18n.t('form.errorSummary'), fields: missing });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      setCertificate(await einvoice.uploadCertificate(file!, password));
      setPassword('');
      setFile(null);
      setSaved(i18n.t('einv.certUploaded'));
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="einvoicing-title">
      <h2 id="einvoicing-title">{i18n.t('einv.settings')}</h2>
      <FormAlert problem={problem} />
      {saved && <Notice tone="success">{saved}</Notice>}
      {settings && (
        <form class="form" noValidate onSubmit={save}>
          {ecuador ? (
            <>
              <Field id="einv-trade" label={i18n.t('einv.tradeName')} value={settings.trade_name ?? ''} onValue={(v) => set({ trade_name: v })} errors={problem?.fields.trade_name} disabled={!admin} />
              <div class="form__row">
                <SelectField
                  id="einv-env"
                  label={i18n.t('einv.environment')}
                  value={String(settings.sri_environment ?? 1)}
                  onValue={(v) => set({ sri_environment: Number(v) as 1 | 2 })}
                  options={[
                    { value: '1', label: i18n.t('einv.env.1') },
                    { value: '2', label: i18n.t('einv.env.2') },
                  ]}
                  errors={problem?.fields.sri_environment}
                />
                <Field id="einv-estab" label={i18n.t('einv.establishment')} value={settings.sri_establishment ?? ''} onValue={(v) => set({ sri_establishment: v })} errors={problem?.fields.sri_establishment} inputMode="numeric" maxLength={3} disabled={!admin} />
                <Field id="einv-point" label={i18n.t('einv.emissionPoint')} value={settings.sri_emission_point ?? ''} onValue={(v) => set({ sri_emission_point: v })} errors={problem?.fields.sri_emission_point} inputMode="numeric" maxLength={3} disabled={!admin} />
                <SelectField
                  id="einv-payment"
                  label={i18n.t('einv.paymentMethod')}
                  value={settings.sri_payment_method ?? '01'}
                  onValue={(v) => set({ sri_payment_method: v as EInvoicingSettings['sri_payment_method'] })}
                  options={SRI_PAYMENT_METHODS.map((value) => ({ value, label: value }))}
                  errors={problem?.fields.sri_payment_method}
                />
              </div>
              <Field id="einv-head" label={i18n.t('einv.headOffice')} value={settings.head_office_address ?? ''} onValue={(v) => set({ head_office_address: v })} errors={problem?.fields.head_office_address} disabled={!admin} />
              <Field id="einv-estab-address" label={i18n.t('einv.establishmentAddress')} value={settings.establishment_address ?? ''} onValue={(v) => set({ establishment_address: v })} errors={problem?.fields.establishment_address} disabled={!admin} />
              <Field id="einv-special" label={i18n.t('einv.specialTaxpayer')} value={settings.special_taxpayer_number ?? ''} onValue={(v) => set({ special_taxpayer_number: v })} errors={problem?.fields.special_taxpayer_number} disabled={!admin} />
              <SelectField
                id="einv-rimpe"
                label={i18n.t('einv.rimpe')}
                value={settings.rimpe_label ?? ''}
                onValue={(v) => set({ rimpe_label: v as EInvoicingSettings['rimpe_label'] })}
                options={['', 'CONTRIBUYENTE RÉGIMEN RIMPE', 'CONTRIBUYENTE NEGOCIO POPULAR - RÉGIMEN RIMPE'].map((value) => ({ value, label: value || '—' }))}
                errors={problem?.fields.rimpe_label}
              />
              <label class="check">
                <input type="checkbox" checked={settings.is_accounting_required ?? false} disabled={!admin} onChange={(e) => set({ is_accounting_required: e.currentTarget.checked })} />{' '}
                {i18n.t('einv.accountingRequired')}
              </label>
            </>
          ) : (
            <label class="check">
              <input
                type="checkbox"
                checked={settings.verifactu_submission_enabled ?? false}
                disabled={!admin}
                onChange={(e) => set({ verifactu_submission_enabled: e.currentTarget.checked })}
              />{' '}
              {i18n.t('einv.verifactuSubmission')}
            </label>
          )}
          {admin && (
            <div class="actions">
              <button type="submit" class="button button--primary">
                {i18n.t('form.save')}
              </button>
            </div>
          )}
        </form>
      )}
      {certificate !== undefined && (
        <>
          <h3>{i18n.t('einv.certificate')}</h3>
          {certificate ? (
            <dl class="facts" data-certificate="present">
              <dt>{i18n.t('einv.certSubject')}</dt>
              <dd>{certificate.subject}</dd>
              <dt>{i18n.t('einv.certValid')}</dt>
              <dd>
                {certificate.not_before ? i18n.date(certificate.not_before) : ''} – {certificate.not_after ? i18n.date(certificate.not_after) : ''}
              </dd>
              <dt>{i18n.t('einv.certFingerprint')}</dt>
              <dd class="mono">{certificate.fingerprint_sha256}</dd>
            </dl>
          ) : (
            <p class="muted">{i18n.t('einv.noCertificate')}</p>
          )}
          {admin ? (
            <form class="form form--inline" noValidate onSubmit={upload}>
              <div class={`field${problem?.fields.file ? ' field--invalid' : ''}`}>
                <label for="cert-file">{i18n.t('einv.certFile')}</label>
                <input id="cert-file" type="file" accept=".p12,.pfx,application/x-pkcs12" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
                {problem?.fields.file && <p class="field__error">{problem.fields.file.join(' ')}</p>}
              </div>
              <Field id="cert-password" type="password" label={i18n.t('einv.certPassword')} value={password} onValue={setPassword} errors={problem?.fields.password} autoComplete="off" />
              <button type="submit" class="button button--primary" disabled={busy}>
                {i18n.t('einv.certUpload')}
              </button>
            </form>
          ) : (
            <p class="muted">{i18n.t('einv.ownerOnly')}</p>
          )}
        </>
      )}
    </section>
  );
}
