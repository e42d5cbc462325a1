/** Shared pieces of the domain screens: selects, text areas, pager, sortable headers, offline note, flash. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { User } from '../api/types';
import { useI18n } from './i18n-context';

export interface SelectFieldProps {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  options: { value: string; label: string }[];
  errors?: string[] | undefined;
  required?: boolean;
}

/** A labelled select with server errors. */
export function SelectField({ id, label, value, onValue, options, errors, required }: SelectFieldProps) {
  const errorId = errors?.length ? `${id}-error` : undefined;
  return (
    <div class={`field${errorId ? ' field--invalid' : ''}`}>
      <label for={id}>{label}</label>
      <select
        id={id}
        name={id}
        value={value}
        required={required}
        aria-invalid={errorId ? 'true' : undefined}
        aria-describedby={errorId}
        onChange={(event) => onValue(event.currentTarget.value)}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {errorId && (
        <p class="field__error" id={errorId}>
          {errors!.join(' ')}
        </p>
      )}
    </div>
  );
}

/** A labelled multi-line text field. */
export function TextAreaField(props: { id: string; label: string; value: string; onValue: (v: string) => void; errors?: string[] | undefined }) {
  const errorId = props.errors?.length ? `${props.id}-error` : undefined;
  return (
    <div class={`field${errorId ? ' field--invalid' : ''}`}>
      <label for={props.id}>{props.label}</label>
      <textarea
        id={props.id}
        name={props.id}
        rows={3}
        value={props.value}
        aria-invalid={errorId ? 'true' : undefined}
        aria-describedby={errorId}
        onInput={(event) => props.onValue(event.currentTarget.value)}
      />
      {errorId && (
        <p class="field__error" id={errorId}>
          {props.errors!.join(' ')}
        </p>
      )}
    </div>
  );
}

/** Previous / next page buttons with "page X of Y". */
export function Pager({ page, pages, total, onPage }: { page: number; pages: number; total: number; onPage: (page: number) => void }) {
  const i18n = useI18n();
  return (
    <div class="pager">
      <button type="button" class="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        {i18n.t('list.previous')}
      </button>
      <span>{i18n.t('list.pageOf', { page, pages, total })}</span>
      <button type="button" class="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        {i18n.t('list.next')}
      </button>
    </div>
  );
}

/** A column header that sorts the list by `field` (click again for descending). */
export function SortHeader({ label, field, sort, onSort }: { label: string; field: string; sort: string; onSort: (sort: string) => void }) {
  const active = sort === field || sort === `-${field}`;
  const descending = sort === `-${field}`;
  return (
    <th scope="col" aria-sort={active ? (descending ? 'descending' : 'ascending') : 'none'}>
      <button type="button" class="sort" onClick={() => onSort(active && !descending ? `-${field}` : field)}>
        {label}
        <span aria-hidden="true">{active ? (descending ? ' ▼' : ' ▲') : ''}</span>
      </button>
    </th>
  );
}

/** Shown above data read from the device while offline, with the last sync time. */
export function OfflineNote({ syncedAt }: { syncedAt: string | null }) {
  const i18n = useI18n();
  return (
    <div class="alert alert--warning" role="status">
      <p>
        {syncedAt ? i18n.t('offline.cachedSince', { date: i18n.dateTime(syncedAt) }) : i18n.t('offline.neverSynced')}
      </p>
    </div>
  );
}

/** A "pending" / "rejected" badge for records that are still in the outbox. */
export function PendingBadge({ state }: { state: string }) {
  const i18n = useI18n();
  const failed = state === 'failed';
  return <span class={`badge badge--${failed ? 'failed' : 'pending'}`}>{i18n.t(failed ? 'outbox.state.failed' : 'outbox.state.pending')}</span>;
}

/** A page heading that receives focus on navigation, with optional actions on the right. */
export function PageHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="page__header">
      <h1 tabIndex={-1} data-autofocus>
        {title}
      </h1>
      {children && <div class="actions actions--compact">{children}</div>}
    </div>
  );
}

// One message carried to the next screen (e.g. "saved, will be sent when online").
let flashMessage: { text: string; tone: 'success' | 'warning' } | null = null;

/** Leave a message for the next screen to show. */
export function setFlash(text: string, tone: 'success' | 'warning' = 'success'): void {
  flashMessage = { text, tone };
}

/** Show (once) the message left by the previous screen. */
export function Flash() {
  const [message] = useState(() => flashMessage);
  useEffect(() => {
    flashMessage = null;
  }, []);
  if (!message) return null;
  return (
    <div class={`alert alert--${message.tone}`} role="status">
      <p>{message.text}</p>
    </div>
  );
}

/** Return a value that follows `value` after it has not changed for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** Whether the user's role grants a permission (profiles saved before permissions were kept: by role). */
export function can(user: User, permission: string): boolean {
  if (user.permissions) return user.permissions.includes(permission);
  return user.role === 'owner';
}
