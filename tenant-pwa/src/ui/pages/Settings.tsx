/** Settings: numbering series (sales), users and API tokens (owners). */
import { useEffect, useState } from 'preact/hooks';
import { apiTokens, series as seriesApi, users as usersApi, type ApiToken, type Permission, type Series, type TenantUser } from '../../api/resources';
import { Field, FormAlert, Notice, toFormProblem, type FormProblem } from '../forms';
import { useI18n } from '../i18n-context';
import { can, PageHeader, SelectField } from '../kit';
import { useUser } from '../user-context';
import { EInvoicingSection } from './EInvoicing';
import { BrandingSection, PaymentProvidersSection } from './Payments';

export function SettingsPage() {
  const i18n = useI18n();
  const user = useUser();
  const sales = user.tenant.modules.includes('sales');
  return (
    <section class="page">
      <PageHeader title={i18n.t('nav.settings')} />
      {sales && can(user, 'invoices:read') && <SeriesSection canWrite={can(user, 'invoices:write')} />}
      {can(user, 'users:read') && <UsersSection canWrite={can(user, 'users:write')} />}
      {can(user, 'settings:write') && <BrandingSection />}
      {user.tenant.modules.includes('einvoicing') && can(user, 'einvoicing:read') && <EInvoicingSection />}
      {user.tenant.modules.includes('payments') && can(user, 'payments:admin') && <PaymentProvidersSection />}
      {can(user, 'api_tokens:write') ? <TokensSection /> : <p class="muted">{i18n.t('settings.ownersOnly')}</p>}
    </section>
  );
}

function SeriesSection({ canWrite }: { canWrite: boolean }) {
  const i18n = useI18n();
  const [rows, setRows] = useState<Series[]>([]);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [kind, setKind] = useState('invoice');
  const [prefix, setPrefix] = useState('');
  const [name, setName] = useState('');
  const load = () => seriesApi.list().then((page) => setRows(page.items), (error) => setProblem(toFormProblem(error, i18n)));
  useEffect(() => void load(), []);

  const create = async (event: Event) => {
    event.preventDefault();
    setProblem(null);
    try {
      await seriesApi.create({ kind, prefix: prefix.trim(), name: name.trim() } as never, crypto.randomUUID());
      setPrefix('');
      setName('');
      await load();
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    }
  };
  const toggle = async (row: Series) => {
    try {
      await seriesApi.update(row.id ?? '', { is_active: !row.is_active });
      await load();
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    }
  };

  return (
    <section class="card" aria-labelledby="series-title">
      <h2 id="series-title">{i18n.t('settings.series')}</h2>
      <FormAlert problem={problem} />
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{i18n.t('settings.seriesKind')}</th>
              <th scope="col">{i18n.t('settings.prefix')}</th>
              <th scope="col">{i18n.t('settings.name')}</th>
              <th scope="col" class="num">{i18n.t('settings.nextNumber')}</th>
              <th scope="col">{i18n.t('settings.active')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id}>
                <td>{i18n.t(`settings.kind.${row.kind}` as 'settings.kind.invoice')}</td>
                <td>{row.prefix}</td>
                <td>{row.name}</td>
                <td class="num">{row.next_number}</td>
                <td>
                  {canWrite ? (
                    <button type="button" class="button" onClick={() => void toggle(row)}>
                      {i18n.t(row.is_active ? 'settings.deactivate' : 'settings.activate')}
                    </button>
                  ) : (
                    i18n.t(row.is_active ? 'settings.yes' : 'settings.no')
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {canWrite && (
        <form class="form form--inline" onSubmit={create} noValidate>
          <SelectField
            id="series-kind"
            label={i18n.t('settings.seriesKind')}
            value={kind}
            onValue={setKind}
            options={['invoice', 'credit_note', 'quote'].map((value) => ({ value, label: i18n.t(`settings.kind.${value}` as 'settings.kind.invoice') }))}
            errors={problem?.fields.kind}
          />
          <Field id="series-prefix" label={i18n.t('settings.prefix')} value={prefix} onValue={setPrefix} errors={problem?.fields.prefix} />
          <Field id="series-name" label={i18n.t('settings.name')} value={name} onValue={setName} errors={problem?.fields.name} />
          <button type="submit" class="button button--primary">
            {i18n.t('settings.addSeries')}
          </button>
        </form>
      )}
    </section>
  );
}

function UsersSection({ canWrite }: { canWrite: boolean }) {
  const i18n = useI18n();
  const [rows, setRows] = useState<TenantUser[]>([]);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [sent, setSent] = useState(false);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState('sales');
  useEffect(() => void usersApi.list().then(setRows, (error) => setProblem(toFormProblem(error, i18n))), []);

  const invite = async (event: Event) => {
    event.preventDefault();
    setProblem(null);
    setSent(false);
    try {
      await usersApi.invite({ email: email.trim(), name: name.trim(), role } as never, crypto.randomUUID());
      setSent(true);
      setEmail('');
      setName('');
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    }
  };

  return (
    <section class="card" aria-labelledby="users-title">
      <h2 id="users-title">{i18n.t('settings.users')}</h2>
      <FormAlert problem={problem} />
      <ul class="plain-list">
        {rows.map((row) => (
          <li key={row.id}>
            <strong>{row.name}</strong> · {row.email} · {i18n.t(`role.${row.role}` as 'role.owner')}
            {!row.is_active && ` · ${i18n.t('settings.inactive')}`}
          </li>
        ))}
      </ul>
      {canWrite && (
        <form class="form form--inline" onSubmit={invite} noValidate>
          {sent && <Notice tone="success">{i18n.t('settings.invitationSent')}</Notice>}
          <Field id="invite-name" label={i18n.t('invite.name')} value={name} onValue={setName} errors={problem?.fields.name} />
          <Field id="invite-email" type="email" label={i18n.t('login.email')} value={email} onValue={setEmail} errors={problem?.fields.email} />
          <SelectField
            id="invite-role"
            label={i18n.t('settings.role')}
            value={role}
            onValue={setRole}
            options={['admin', 'accountant', 'sales', 'viewer'].map((value) => ({ value, label: i18n.t(`role.${value}` as 'role.owner') }))}
            errors={problem?.fields.role}
          />
          <button type="submit" class="button button--primary">
            {i18n.t('settings.invite')}
          </button>
        </form>
      )}
    </section>
  );
}

const TOKEN_PRESETS: Record<string, Permission[]> = {
  read: ['customers:read', 'products:read', 'invoices:read', 'quotes:read'],
  write: ['customers:read', 'customers:write', 'products:read', 'products:write', 'invoices:read', 'invoices:write', 'quotes:read', 'quotes:write'],
};

function TokensSection() {
  const i18n = useI18n();
  const [rows, setRows] = useState<ApiToken[]>([]);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [name, setName] = useState('');
  const [preset, setPreset] = useState('read');
  const [secret, setSecret] = useState<string | null>(null);
  const load = () => apiTokens.list().then(setRows, (error) => setProblem(toFormProblem(error, i18n)));
  useEffect(() => void load(), []);

  const create = async (event: Event) => {
    event.preventDefault();
    setProblem(null);
    try {
      const token = await apiTokens.create({ name: name.trim(), permissions: TOKEN_PRESETS[preset]! }, crypto.randomUUID());
      setSecret(token.token ?? null);
      setName('');
      await load();
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    }
  };
  const revoke = async (token: ApiToken) => {
    if (!window.confirm(i18n.t('settings.revokeConfirm', { name: token.name ?? '' }))) return;
    try {
      await apiTokens.revoke(token.id ?? '');
      await load();
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    }
  };

  return (
    <section class="card" aria-labelledby="tokens-title">
      <h2 id="tokens-title">{i18n.t('settings.tokens')}</h2>
      <FormAlert problem={problem} />
      {secret && (
        <div class="alert alert--warning" role="status">
          <p>{i18n.t('settings.tokenOnce')}</p>
          <p>
            <code>{secret}</code>
          </p>
        </div>
      )}
      <ul class="plain-list">
        {rows.map((row) => (
          <li key={row.id}>
            <strong>{row.name}</strong> · <code>{row.prefix}…</code> · {row.created_at ? i18n.date(row.created_at) : ''}
            {row.revoked_at ? (
              ` · ${i18n.t('settings.revoked')}`
            ) : (
              <button type="button" class="button button--danger" onClick={() => void revoke(row)}>
                {i18n.t('settings.revoke')}
              </button>
            )}
          </li>
        ))}
      </ul>
      <form class="form form--inline" onSubmit={create} noValidate>
        <Field id="token-name" label={i18n.t('settings.name')} value={name} onValue={setName} errors={problem?.fields.name} />
        <SelectField
          id="token-preset"
          label={i18n.t('settings.permissions')}
          value={preset}
          onValue={setPreset}
          options={[
            { value: 'read', label: i18n.t('settings.preset.read') },
            { value: 'write', label: i18n.t('settings.preset.write') },
          ]}
          errors={problem?.fields.permissions}
        />
        <button type="submit" class="button button--primary">
          {i18n.t('settings.createToken')}
        </button>
      </form>
    </section>
  );
}
