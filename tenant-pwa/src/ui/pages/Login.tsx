import { useState } from 'preact/hooks';
import { login, loginTotp } from '../../api/auth';
import type { User } from '../../api/types';
import { Link } from '../../router';
import { loadTenantSlug, saveTenantSlug } from '../../session';
import { Field, FormAlert, Notice, toFormProblem, type FormProblem } from '../forms';
import { useI18n } from '../i18n-context';
import { AuthCard } from './AuthCard';

export interface LoginProps {
  onAuthenticated: (user: User) => void;
  notice?: string;
}

/** Tenant + e-mail + password, then a TOTP code when the server asks for a second factor. */
export function Login({ onAuthenticated, notice }: LoginProps) {
  const i18n = useI18n();
  const [step, setStep] = useState<'credentials' | 'totp'>('credentials');
  const [tenant, setTenant] = useState(loadTenantSlug);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<FormProblem | null>(null);

  const submitCredentials = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const slug = tenant.trim().toLowerCase();
      const outcome = await login({ tenant: slug, email: email.trim(), password });
      saveTenantSlug(slug);
      if (outcome.kind === 'second-factor') {
        setPassword('');
        setStep('totp');
      } else {
        onAuthenticated(outcome.user);
      }
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      setBusy(false);
    }
  };

  const submitCode = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      onAuthenticated(await loginTotp(code.trim()));
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      setBusy(false);
    }
  };

  if (step === 'totp') {
    return (
      <AuthCard title={i18n.t('login.totpTitle')}>
        <form onSubmit={submitCode}>
          <p>{i18n.t('login.totpHelp')}</p>
          <FormAlert problem={problem} />
          <Field
            id="totp-code"
            label={i18n.t('login.totpCode')}
            value={code}
            onValue={setCode}
            errors={problem?.fields.code}
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            required
            autoFocus
          />
          <div class="actions">
            <button type="submit" class="button button--primary" disabled={busy}>
              {i18n.t('login.totpSubmit')}
            </button>
            <button
              type="button"
              class="button"
              onClick={() => {
                setStep('credentials');
                setCode('');
                setProblem(null);
              }}
            >
              {i18n.t('login.back')}
            </button>
          </div>
        </form>
      </AuthCard>
    );
  }

  return (
    <AuthCard title={i18n.t('login.title')}>
      {notice && <Notice tone="warning">{notice}</Notice>}
      <form onSubmit={submitCredentials}>
        <FormAlert problem={problem} />
        <Field
          id="login-tenant"
          name="tenant"
          label={i18n.t('login.tenant')}
          hint={i18n.t('login.tenantHint')}
          value={tenant}
          onValue={setTenant}
          errors={problem?.fields.tenant}
          autoComplete="organization"
          autoCapitalize="none"
          spellcheck={false}
          required
        />
        <Field
          id="login-email"
          name="email"
          type="email"
          label={i18n.t('login.email')}
          value={email}
          onValue={setEmail}
          errors={problem?.fields.email}
          autoComplete="username"
          required
        />
        <Field
          id="login-password"
          name="password"
          type="password"
          label={i18n.t('login.password')}
          value={password}
          onValue={setPassword}
          errors={problem?.fields.password}
          autoComplete="current-password"
          required
        />
        <div class="actions">
          <button type="submit" class="button button--primary" disabled={busy}>
            {busy ? i18n.t('login.submitting') : i18n.t('login.submit')}
          </button>
        </div>
      </form>
      <p class="auth-links">
        <Link to="/password-reset">{i18n.t('login.forgot')}</Link>
        <Link to="/invitations/accept">{i18n.t('login.invitation')}</Link>
      </p>
    </AuthCard>
  );
}
