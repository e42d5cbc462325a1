import { useState } from 'preact/hooks';
import { confirmPasswordReset, requestPasswordReset } from '../../api/auth';
import { Link, takeTokenFromUrl } from '../../router';
import { loadTenantSlug } from '../../session';
import { Field, FormAlert, Notice, toFormProblem, type FormProblem } from '../forms';
import { useI18n } from '../i18n-context';
import { AuthCard } from './AuthCard';

/** Ask for a reset e-mail (tenant + e-mail); the answer is the same whether the account exists or not. */
export function PasswordResetRequest() {
  const i18n = useI18n();
  const [tenant, setTenant] = useState(loadTenantSlug);
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  const [problem, setProblem] = useState<FormProblem | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await requestPasswordReset({ tenant: tenant.trim().toLowerCase(), email: email.trim() });
      setSent(true);
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title={i18n.t('reset.title')}>
      {sent ? (
        <Notice tone="success">{i18n.t('reset.sent')}</Notice>
      ) : (
        <form onSubmit={submit}>
          <p>{i18n.t('reset.help')}</p>
          <FormAlert problem={problem} />
          <Field
            id="reset-tenant"
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
            id="reset-email"
            name="email"
            type="email"
            label={i18n.t('login.email')}
            value={email}
            onValue={setEmail}
            errors={problem?.fields.email}
            autoComplete="username"
            required
          />
          <div class="actions">
            <button type="submit" class="button button--primary" disabled={busy}>
              {i18n.t('reset.submit')}
            </button>
          </div>
        </form>
      )}
      <p class="auth-links">
        <Link to="/login">{i18n.t('form.backToLogin')}</Link>
      </p>
    </AuthCard>
  );
}

/** Choose a new password with the token from the e-mail link (#token=… or ?token=…). */
export function PasswordResetConfirm() {
  const i18n = useI18n();
  const [urlToken] = useState(takeTokenFromUrl);
  const [token, setToken] = useState(urlToken ?? '');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const mismatch = repeat !== '' && repeat !== password;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (password !== repeat) {
      setProblem({ message: i18n.t('form.passwordsDiffer'), fields: {} });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await confirmPasswordReset({ token: token.trim(), password });
      setDone(true);
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title={i18n.t('reset.confirmTitle')}>
      {done ? (
        <Notice tone="success">{i18n.t('reset.done')}</Notice>
      ) : (
        <form onSubmit={submit}>
          <FormAlert problem={problem} />
          {!urlToken && (
            <Field
              id="reset-token"
              name="token"
              label={i18n.t('reset.token')}
              hint={i18n.t('reset.tokenHint')}
              value={token}
              onValue={setToken}
              errors={problem?.fields.token}
              autoComplete="off"
              spellcheck={false}
              required
            />
          )}
          {urlToken && problem?.fields.token && (
            <p class="field__error">{problem.fields.token.join(' ')}</p>
          )}
          <Field
            id="reset-password"
            name="password"
            type="password"
            label={i18n.t('reset.newPassword')}
            value={password}
            onValue={setPassword}
            errors={problem?.fields.password}
            autoComplete="new-password"
            required
          />
          <Field
            id="reset-repeat"
            name="repeat"
            type="password"
            label={i18n.t('reset.repeatPassword')}
            value={repeat}
            onValue={setRepeat}
            errors={mismatch ? [i18n.t('form.passwordsDiffer')] : undefined}
            autoComplete="new-password"
            required
          />
          <div class="actions">
            <button type="submit" class="button button--primary" disabled={busy}>
              {i18n.t('reset.confirmSubmit')}
            </button>
          </div>
        </form>
      )}
      <p class="auth-links">
        <Link to="/login">{i18n.t('form.backToLogin')}</Link>
        {!done && <Link to="/password-reset">{i18n.t('reset.requestNew')}</Link>}
      </p>
    </AuthCard>
  );
}
