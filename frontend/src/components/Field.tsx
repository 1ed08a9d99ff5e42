// A labelled input with its hint and its error beside it (aria-describedby links them).
import type { ComponentChildren, JSX } from 'preact'

interface Props extends Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'id' | 'label'> {
  id: string
  label: ComponentChildren
  hint?: ComponentChildren
  error?: string | null
}

export function Field({ id, label, hint, error, ...input }: Props) {
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ')
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={described || undefined} {...input} />
      {hint && (
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} class="field-error">
          {error}
        </p>
      )}
    </div>
  )
}
