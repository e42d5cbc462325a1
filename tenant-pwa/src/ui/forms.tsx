/** Form building blocks: labelled fields with hints and server field errors, and a form-level alert. */
import type { InputHTMLAttributes, PartialInputHTMLAttributes } from 'preact';
import { ApiError, NetworkError, type FieldErrors } from '../api/http';
import type { I18n } from '../i18n';
import { useI18n } from './i18n-context';

type InputProps = Omit<PartialInputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onInput' | 'role' | 'type'> & {
  type?: 'text' | 'email' | 'password' | 'tel' | 'url' | 'search';
};

export interface FieldProps extends InputProps {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  hint?: string;
  errors?: string[];
}

/** A labelled input; hint and errors are announced through aria-describedby. */
export function Field({ id, label, value, onValue, hint, errors, ...input }: FieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = errors?.length ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${errorId ? ' field--invalid' : ''}`}>
      <label for={id}>{label}</label>
      <input
        {...({
          ...input,
          id,
          name: input.name ?? id,
          value,
          onInput: (event: Event) => onValue((event.currentTarget as HTMLInputElement).value),
          'aria-describedby': describedBy,
          'aria-invalid': errorId ? 'true' : undefined,
        } as InputHTMLAttributes<HTMLInputElement>)}
      />
      {hint && (
        <p class="field__hint" id={hintId}>
          {hint}
        </p>
      )}
      {errorId && (
        <p class="field__error" id={errorId}>
          {errors!.join(' ')}
        </p>
      )}
    </div>
  );
}

export interface FormProblem {
  message: string;
  requestId?: string;
  fields: FieldErrors;
}

/** Turn what a submit threw into a message and field errors to show. */
export function toFormProblem(error: unknown, i18n: I18n): FormProblem {
  if (error instanceof NetworkError) return { message: i18n.t('error.network'), fields: {} };
  if (error instanceof ApiError) {
    const hasFields = Object.keys(error.errors).length > 0;
    const message = error.detail && error.detail !== error.title ? `${error.title}. ${error.detail}` : error.title;
    return {
      message: hasFields && !error.detail ? `${error.title}. ${i18n.t('form.errorSummary')}` : message,
      ...(error.requestId ? { requestId: error.requestId } : {}),
      fields: error.errors,
    };
  }
  return { message: i18n.t('error.unexpected'), fields: {} };
}

/** The form-level error, announced as an alert. */
export function FormAlert({ problem }: { problem: FormProblem | null }) {
  const i18n = useI18n();
  if (!problem) return null;
  return (
    <div class="alert alert--error" role="alert">
      <p>{problem.message}</p>
      {problem.requestId && <p class="alert__reference">{i18n.t('error.reference', { id: problem.requestId })}</p>}
    </div>
  );
}

/** A success or information message, announced politely. */
export function Notice({ children, tone = 'info' }: { children: string; tone?: 'info' | 'success' | 'warning' }) {
  return (
    <div class={`alert alert--${tone}`} role="status">
      <p>{children}</p>
    </div>
  );
}
