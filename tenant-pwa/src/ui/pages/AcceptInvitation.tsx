import { useState } from 'preact/hooks';
import { acceptInvitation } from '../../api/auth';
import type { User } from '../../api/types';
import { Link, takeTokenFromUrl } from '../../router';
import { Field, FormAlert, Notice, toFormProblem, type FormProblem } from '../forms';
import { useI18n } from '../i18n-context';
import { AuthCard } from './AuthCard';

/**
 * Accept an invitation with the token from the e-mail link (or typed in), a name and a password. If the
 * server signs the new user in, the app opens; otherwise the screen points to the login form.
 */
export function AcceptInvitation({ onAuthenticated }: { onAuthenticated: (user: User) => void }) {
  const i18n = useI18n();
  const [urlToken] = useState(takeTokenFromUrl);
  const [token, setToken] = useState(urlToken ?? '');
  const [name, setName] = useState('');
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
      const user = await acceptInvitation({ token: token.trim(), name: name.trim(), password });
      if (user) onAuthenticated(user);
      else setDone(true);
    } catch (error) {
      setProblem(toFormProblem(error, i18n));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title={i18n.t('invite.title')}>
      {done ? (
        <Notice tone="success">{i18n.t('invite.done')}</Notice>
      ) : (
        <form onSubmit={submit}>
          <p>{i18n.t('invite.help')}</p>
          <FormAlert problem={problem} />
          {!urlToken && (
            <Field
              id="invite-token"
              name="token"
              label={i18n.t('invite.token')}
              hint={i18n.t('invite.tokenHint')}
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
            id="invite-name"
            name="name"
            label={i18n.t('invite.name')}
            value={name}
            onValue={setName}
            errors={problem?.fields.name}
            autoComplete="name"
            required
          />
          <Field
            id="invite-password"
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
            id="invite-repeat"
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
              {i18n.t('invite.submit')}
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
