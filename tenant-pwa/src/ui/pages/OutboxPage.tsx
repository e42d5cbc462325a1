import { useCallback, useEffect, useState } from 'preact/hooks';
import type { OutboxEntry } from '../../offline/outbox';
import { Notice } from '../forms';
import { useI18n } from '../i18n-context';
import { useOffline } from '../offline-context';

/** Pending and failed outbox entries, with the server's errors, retry, discard and "send now". */
export function OutboxPage() {
  const i18n = useI18n();
  const { outbox, available, replay, replaying, lastReport } = useOffline();
  const [entries, setEntries] = useState<OutboxEntry[]>([]);
  const [message, setMessage] = useState<string | null>(null);

  const load = useCallback(() => {
    if (!outbox) return;
    outbox.list().then((all) => setEntries(all.filter((entry) => entry.state !== 'done')), () => setEntries([]));
  }, [outbox]);

  useEffect(() => {
    if (!outbox) return undefined;
    load();
    outbox.events.addEventListener('change', load);
    return () => outbox.events.removeEventListener('change', load);
  }, [outbox, load]);

  const sendNow = async () => {
    setMessage(null);
    const report = await replay();
    if (report) {
      setMessage(
        report.stoppedBy === 'network'
          ? i18n.t('outbox.result.stopped')
          : i18n.t('outbox.result.sent', { sent: report.sent, failed: report.failed, remaining: report.remaining }),
      );
    }
  };

  const retry = async (entry: OutboxEntry) => {
    if (!outbox) return;
    await outbox.retry(entry.id);
    await sendNow();
  };

  const discard = async (entry: OutboxEntry) => {
    if (!outbox) return;
    const dependents = await outbox.dependentsOf(entry.id);
    const question = dependents.length
      ? i18n.plural('outbox.discardConfirmDependents', dependents.length)
      : i18n.t('outbox.discardConfirm');
    if (window.confirm(question)) await outbox.discard(entry.id);
  };

  return (
    <section class="page outbox" aria-busy={replaying ? 'true' : 'false'}>
      <h1 tabIndex={-1} data-autofocus>
        {i18n.t('outbox.title')}
      </h1>
      <p>{i18n.t('outbox.help')}</p>
      {!available && <Notice tone="warning">{i18n.t('outbox.unavailable')}</Notice>}
      <div class="actions">
        <button type="button" class="button button--primary" onClick={sendNow} disabled={replaying || !available}>
          {replaying ? i18n.t('outbox.syncing') : i18n.t('outbox.syncNow')}
        </button>
      </div>
      <div role="status" class="outbox__status">
        {message ?? (lastReport?.stoppedBy === 'network' ? i18n.t('outbox.result.stopped') : '')}
      </div>
      {entries.length === 0 ? (
        <p class="outbox__empty">{i18n.t('outbox.empty')}</p>
      ) : (
        <ol class="outbox__list">
          {entries.map((entry) => (
            <li key={entry.id} class={`outbox-entry outbox-entry--${entry.state}`}>
              <div class="outbox-entry__head">
                <span class="outbox-entry__label">{entry.label ?? `${entry.method} ${entry.path}`}</span>
                <span class={`badge badge--${entry.state}`}>{i18n.t(`outbox.state.${entry.state}`)}</span>
              </div>
              <p class="outbox-entry__meta">
                {i18n.t('outbox.createdAt', { date: i18n.dateTime(entry.createdAt) })} ·{' '}
                {i18n.t('outbox.attempts', { count: entry.attempts })}
              </p>
              {entry.error && <EntryError entry={entry} />}
              {(entry.state === 'failed' || entry.state === 'pending') && (
                <div class="actions actions--compact">
                  {entry.state === 'failed' && (
                    <button type="button" class="button" onClick={() => retry(entry)} disabled={replaying}>
                      {i18n.t('outbox.retry')}
                    </button>
                  )}
                  <button type="button" class="button button--danger" onClick={() => discard(entry)} disabled={replaying}>
                    {i18n.t('outbox.discard')}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function EntryError({ entry }: { entry: OutboxEntry }) {
  const i18n = useI18n();
  const error = entry.error!;
  const fields = Object.entries(error.errors ?? {});
  return (
    <div class={entry.state === 'failed' ? 'alert alert--error' : 'alert alert--warning'}>
      <p>
        <strong>{entry.blockedBy ? i18n.t('outbox.blocked') : error.title}</strong>
        {error.detail ? ` ${error.detail}` : ''}
      </p>
      {fields.length > 0 && (
        <ul class="outbox-entry__fields">
          {fields.map(([field, messages]) => (
            <li key={field}>
              <code>{field}</code>: {messages.join(' ')}
            </li>
          ))}
        </ul>
      )}
      {error.request_id && <p class="alert__reference">{i18n.t('error.reference', { id: error.request_id })}</p>}
    </div>
  );
}
