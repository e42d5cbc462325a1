import type { MessageKey } from '../../i18n';
import { Link } from '../../router';
import { useI18n } from '../i18n-context';

/** A screen that exists in the navigation but whose content is still to be built. */
export function Placeholder({ titleKey }: { titleKey: MessageKey }) {
  const i18n = useI18n();
  return (
    <section class="page">
      <h1 tabIndex={-1} data-autofocus>
        {i18n.t(titleKey)}
      </h1>
      <p class="page__placeholder">{i18n.t('page.underConstruction')}</p>
    </section>
  );
}

/** The path matches no screen. */
export function NotFound() {
  const i18n = useI18n();
  return (
    <section class="page">
      <h1 tabIndex={-1} data-autofocus>
        {i18n.t('page.notFound.title')}
      </h1>
      <p>{i18n.t('page.notFound.body')}</p>
      <p>
        <Link to="/">{i18n.t('page.goHome')}</Link>
      </p>
    </section>
  );
}

/** The screen belongs to a module the tenant has not enabled. */
export function ModuleDisabled() {
  const i18n = useI18n();
  return (
    <section class="page">
      <h1 tabIndex={-1} data-autofocus>
        {i18n.t('page.moduleDisabled.title')}
      </h1>
      <p>{i18n.t('page.moduleDisabled.body')}</p>
      <p>
        <Link to="/">{i18n.t('page.goHome')}</Link>
      </p>
    </section>
  );
}
