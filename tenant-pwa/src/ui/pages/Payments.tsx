/**
 * Payments in the invoice detail (list, register a manual payment through the outbox, payment link) and
 * the owner's payment provider settings (secrets are write-only: the form shows which are set, never them).
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api/http';
import { MANUAL_METHODS, PROVIDER_FIELDS, PROVIDERS, payments, providerBody, type Payment, type PaymentInput, type Provider, type ProviderAccount } from '../../api/payments';
import type { SalesDocument } from '../../api/resources';
import { submitWrite } from '../../offline/sync';
import { Field, FormAlert, Notice, toFormProblem, type FormProblem } from '../forms';
import { useI18n } from '../i18n-context';
import { can, DateField, SelectField } from '../kit';
import { useOffline } from '../offline-context';
import { useUser } from '../user-context';

export function InvoicePayments({ invoice, onChanged }: { invoice: SalesDocument; onChanged: () => void }) {
  const i18n = useI18n();
  const user = useUser();
  const { outbox } = useOffline();
  const id = invoice.id ?? '';
  const currency = invoice.currency ?? user.tenant.currency;
  const [rows, setRows] = useState<Payment[] | null>(null);
  const [open, setOpen] = useState(false);
  const [amount, setAmount] = useState(() => (invoice.amount_due ? i18n.decimal(invoice.amount_due, 2, 2) : ''));
  const [method, setMethod] = useState<string>('bank_transfer');
  const [paidOn, setPaidOn] = useState(() => new Date().toISOString().slice(0, 10));
  const [reference, setReference] = useState('');
  const [link, setLink] = useState<string | null>(null);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const load = () => payments.list(id).then((page) => setRows(page.items), (error) => setProblem(toFormProblem(error, i18n)));
  useEffect(() => {
    void load();
    payments.openLink(id).then((found) => setLink(found.url ?? null), () => setLink(null));
  }, [id]);

  const register = async (event: Event) => {
    event.preventDefault();
    if (!outbox) return;
    const value = i18n.parseDecimal(amount);
    if (value === null) {
      setProblem({ message: i18n.t('form.errorSummary'), fields: { amount: [amount.trim() ? i18n.t('form.notANumber') : i18n.t('form.required')] } });
      return;
    }
    const body: PaymentInput = { amount: value, method: method as PaymentInput['method'], paid_on: paidOn, ...(reference.trim() ? { reference: reference.trim() } : {}) };
    setBusy(true);
    setProblem(null);
    try {
      const result = await submitWrite<Payment>(outbox, { method: 'POST', path: payments.path(id), body, label: i18n.t('pay.outbox', { name: invoice.full_number ?? '' }) });
      if (result.queued) setProblem({ message: i18n.t('offline.queued'), fields: {} });
      else {
        setOpen(false);
        setReference('');
        await load();
        onChanged();
      }
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      setBusy(false);
    }
  };
  const createLink = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const created = await payments.createLink(id, undefined, crypto.randomUUID());
      setLink(created.url ?? null);
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      setBusy(false);
    }
  };
  const due = invoice.amount_due && !/^0+(\.0+)?$/.test(invoice.amount_due);
  const writable = can(user, 'payments:write');
  return (
    <section class="card" aria-labelledby="payments-title">
      <h2 id="payments-title">{i18n.t('pay.title')}</h2>
      <FormAlert problem={problem} />
      {rows && rows.length === 0 && <p class="muted">{i18n.t('pay.none')}</p>}
      {rows && rows.length > 0 && (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{i18n.t('pay.date')}</th>
                <th scope="col">{i18n.t('pay.method')}</th>
                <th scope="col">{i18n.t('pay.reference')}</th>
                <th scope="col" class="num">{i18n.t('pur.amount')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id}>
                  <td>{row.paid_on ? i18n.date(row.paid_on) : ''}</td>
                  <td>{i18n.t(`pay.method.${row.method}` as 'pay.method.cash')}</td>
                  <td>{row.reference ?? ''}</td>
                  <td class="num" data-payment-amount>
                    {i18n.money(row.amount ?? '0', row.currency || currency)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {link && (
        <p>
          {i18n.t('pay.link')}:{' '}
          <a href={link} target="_blank" rel="noopener noreferrer" data-payment-link>
            {link}
          </a>
        </p>
      )}
      {writable && due && (
        <div class="actions">
          <button type="button" class="button" aria-expanded={open ? 'true' : 'false'} onClick={() => setOpen(!open)}>
            {i18n.t('pay.register')}
          </button>
          {!link && (
            <button type="button" class="button" disabled={busy} onClick={() => void createLink()}>
              {i18n.t('pay.createLink')}
            </button>
          )}
        </div>
      )}
      {open && (
        <form class="form form--inline" noValidate onSubmit={register}>
          <Field id="payment-amount" label={i18n.t('pur.amount')} inputMode="decimal" value={amount} onValue={setAmount} errors={problem?.fields.amount} required />
          <SelectField
            id="payment-method"
            label={i18n.t('pay.method')}
            value={method}
            onValue={setMethod}
            options={MANUAL_METHODS.map((value) => ({ value, label: i18n.t(`pay.method.${value}`) }))}
            errors={problem?.fields.method}
          />
          <DateField id="payment-date" label={i18n.t('pay.date')} value={paidOn} onValue={setPaidOn} errors={problem?.fields.paid_on} />
          <Field id="payment-reference" label={i18n.t('pay.reference')} value={reference} onValue={setReference} errors={problem?.fields.reference} />
          <button type="submit" class="button button--primary" disabled={busy}>
            {i18n.t('pay.save')}
          </button>
        </form>
      )}
    </section>
  );
}

/** Settings → payment providers (owner: payments:admin). */
export function PaymentProvidersSection() {
  const i18n = useI18n();
  const [accounts, setAccounts] = useState<ProviderAccount[] | null>(null);
  const [provider, setProvider] = useState<Provider>('stripe');
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [settings, setSettings] = useState<Record<string, string>>({});
  const [active, setActive] = useState(true);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [saved, setSaved] = useState(false);
  const load = () =>
    payments.providers().then(
      (list) => setAccounts(list.items),
      (error) => (error instanceof ApiError && error.status === 404 ? setAccounts([]) : setProblem(toFormProblem(error, i18n))),
    );
  useEffect(() => void load(), []);
  const current = accounts?.find((account) => account.provider === provider);
  useEffect(() => {
    setSecrets({});
    setSettings((current?.settings as Record<string, string> | undefined) ?? {});
    setActive(current?.is_active ?? true);
  }, [provider, accounts]);

  const save = async (event: Event) => {
    event.preventDefault();
    setProblem(null);
    setSaved(false);
    try {
      await payments.saveProvider(providerBody(provider, secrets, settings, active));
      setSecrets({});
      setSaved(true);
      await load();
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    }
  };
  const fields = PROVIDER_FIELDS[provider];
  return (
    <section class="card" aria-labelledby="providers-title">
      <h2 id="providers-title">{i18n.t('pay.providers')}</h2>
      <FormAlert problem={problem} />
      {saved && <Notice tone="success">{i18n.t('form.saved')}</Notice>}
      {accounts && accounts.length > 0 && (
        <ul>
          {accounts.map((account) => (
            <li key={account.provider}>
              {account.provider}: {account.is_active ? i18n.t('pay.active') : i18n.t('pay.inactive')} · {i18n.t('pay.secretsSet', { names: (account.secret_names ?? []).join(', ') || '—' })}
            </li>
          ))}
        </ul>
      )}
      <form class="form" noValidate onSubmit={save}>
        <SelectField id="provider" label={i18n.t('pay.provider')} value={provider} onValue={(v) => setProvider(v as Provider)} options={PROVIDERS.map((value) => ({ value, label: value }))} />
        {fields.secrets.map((name) => (
          <Field
            key={`${provider}-${name}`}
            id={`secret-${name}`}
            type="password"
            autoComplete="off"
            label={name}
            value={secrets[name] ?? ''}
            onValue={(v) => setSecrets((s) => ({ ...s, [name]: v }))}
            hint={current?.secret_names?.includes(name) ? i18n.t('pay.secretKept') : i18n.t('pay.secretNeeded')}
            errors={problem?.fields[`secrets.${name}`] ?? problem?.fields.secrets}
          />
        ))}
        {fields.settings.map((name) => (
          <Field key={`${provider}-${name}`} id={`setting-${name}`} label={name} value={settings[name] ?? ''} onValue={(v) => setSettings((s) => ({ ...s, [name]: v }))} errors={problem?.fields[`settings.${name}`]} />
        ))}
        <label class="check">
          <input type="checkbox" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} /> {i18n.t('pay.active')}
        </label>
        <button type="submit" class="button button--primary">
          {i18n.t('form.save')}
        </button>
      </form>
    </section>
  );
}

/** Invoice detail → send by e-mail (to, optional cc and message); the server queues it (202). */
export function SendInvoiceForm({ invoiceId, defaultTo }: { invoiceId: string; defaultTo: string }) {
  const i18n = useI18n();
  const [open, setOpen] = useState(false);
  const [to, setTo] = useState(defaultTo);
  const [cc, setCc] = useState('');
  const [message, setMessage] = useState('');
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!to.trim()) {
      setProblem({ message: i18n.t('form.errorSummary'), fields: { to: [i18n.t('form.required')] } });
      return;
    }
    const copies = cc.split(/[,;\s]+/).map((value) => value.trim()).filter(Boolean);
    setBusy(true);
    setProblem(null);
    try {
      await payments.send(invoiceId, { to: to.trim(), ...(copies.length ? { cc: copies } : {}), ...(message.trim() ? { message: message.trim() } : {}) }, crypto.randomUUID());
      setSent(true);
      setOpen(false);
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class="button" aria-expanded={open ? 'true' : 'false'} onClick={() => setOpen(!open)}>
        {i18n.t('send.open')}
      </button>
      {sent && <Notice tone="success">{i18n.t('send.queued', { to })}</Notice>}
      {open && (
        <form class="form form--inline" noValidate onSubmit={submit}>
          <FormAlert problem={problem} />
          <Field id="send-to" type="email" label={i18n.t('send.to')} value={to} onValue={setTo} errors={problem?.fields.to} required />
          <Field id="send-cc" label={i18n.t('send.cc')} value={cc} onValue={setCc} errors={problem?.fields.cc} hint={i18n.t('send.ccHint')} />
          <Field id="send-message" label={i18n.t('send.message')} value={message} onValue={setMessage} errors={problem?.fields.message} />
          <button type="submit" class="button button--primary" disabled={busy}>
            {i18n.t('send.submit')}
          </button>
        </form>
      )}
    </>
  );
}

/** Settings → company branding of the PDFs: colour, footer, legal text and logo (settings:write). */
export function BrandingSection() {
  const i18n = useI18n();
  const [branding, setBranding] = useState<{ color: string; footer: string; legal_text: string; has_logo: boolean } | null>(null);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [saved, setSaved] = useState('');
  useEffect(() => {
    payments.branding().then(
      (found) => setBranding({ color: found.color ?? '', footer: found.footer ?? '', legal_text: found.legal_text ?? '', has_logo: found.has_logo ?? false }),
      (error) => setProblem(toFormProblem(error, i18n)),
    );
  }, []);
  const save = async (event: Event) => {
    event.preventDefault();
    if (!branding) return;
    setProblem(null);
    setSaved('');
    try {
      const result = await payments.saveBranding({ ...(branding.color ? { color: branding.color } : {}), footer: branding.footer, legal_text: branding.legal_text });
      setBranding({ color: result.color ?? '', footer: result.footer ?? '', legal_text: result.legal_text ?? '', has_logo: result.has_logo ?? false });
      setSaved(i18n.t('form.saved'));
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    }
  };
  const upload = async (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setProblem(null);
    setSaved('');
    try {
      const result = await payments.uploadLogo(file);
      setBranding((current) => current && { ...current, has_logo: result.has_logo ?? true });
      setSaved(i18n.t('brand.logoSaved'));
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      input.value = '';
    }
  };
  return (
    <section class="card" aria-labelledby="branding-title">
      <h2 id="branding-title">{i18n.t('brand.title')}</h2>
      <FormAlert problem={problem} />
      {saved && <Notice tone="success">{saved}</Notice>}
      {branding && (
        <form class="form" noValidate onSubmit={save}>
          <Field id="brand-color" label={i18n.t('brand.color')} value={branding.color} onValue={(v) => setBranding({ ...branding, color: v })} errors={problem?.fields.color} hint="#1F4E79" />
          <Field id="brand-footer" label={i18n.t('brand.footer')} value={branding.footer} onValue={(v) => setBranding({ ...branding, footer: v })} errors={problem?.fields.footer} maxLength={300} />
          <Field id="brand-legal" label={i18n.t('brand.legal')} value={branding.legal_text} onValue={(v) => setBranding({ ...branding, legal_text: v })} errors={problem?.fields.legal_text} maxLength={1000} />
          <div class={`field${problem?.fields.file ? ' field--invalid' : ''}`}>
            <label for="brand-logo">{i18n.t(branding.has_logo ? 'brand.replaceLogo' : 'brand.logo')}</label>
            <input id="brand-logo" type="file" accept="image/png,image/jpeg" onChange={(e) => void upload(e)} />
            <p class="field__hint">{i18n.t('brand.logoHint')}</p>
            {problem?.fields.file && <p class="field__error">{problem.fields.file.join(' ')}</p>}
          </div>
          <button type="submit" class="button button--primary">
            {i18n.t('form.save')}
          </button>
        </form>
      )}
    </section>
  );
}
