import type { ComponentChildren } from 'preact';
import { useI18n } from '../i18n-context';

/** The centred card the sign-in, reset and invitation screens share. */
export function AuthCard({ title, children }: { title: string; children: ComponentChildren }) {
  const i18n = useI18n();
  return (
    <main class="auth" id="main">
      <div class="auth__card">
        <p class="auth__brand" aria-hidden="true">
          <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" width={32} height={32} />
          {i18n.t('app.name')}
        </p>
        <h1 tabIndex={-1} data-autofocus>
          {title}
        </h1>
        {children}
      </div>
    </main>
  );
}
