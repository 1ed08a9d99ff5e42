// Choose a unit by typing part of its name (or its code): the list searches the server
// (`q`), so it stays short whatever the size of the tree. The value is the unit's code.
import { useEffect, useRef, useState } from 'preact/hooks'
import { api, call } from '../api/client'
import type { UnitPublic } from '../api/types'
import { t, type MessageKey } from '../i18n'

interface Props {
  id: string
  label: string
  value: string
  onChange: (code: string, unit?: UnitPublic) => void
  under?: string
  kinds?: string[]
  error?: string | null
  hint?: string
  required?: boolean
}

export function UnitPicker({ id, label, value, onChange, under, kinds, error, hint, required }: Props) {
  const [text, setText] = useState(value)
  const [options, setOptions] = useState<UnitPublic[] | null>(null)
  const [chosen, setChosen] = useState<UnitPublic | null>(null)
  const seq = useRef(0)
  useEffect(() => {
    if (value !== (chosen?.code ?? text)) setText(value)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value])

  const search = (q: string) => {
    const mine = ++seq.current
    if (q.trim().length < 2) return setOptions(null)
    window.setTimeout(async () => {
      if (mine !== seq.current) return
      const r = await call(api.GET('/api/v1/units', { params: { query: { q: q.trim(), under, limit: 20 } } }))
      if (mine !== seq.current) return
      const found = (r.data?.data ?? []).filter((u) => !kinds || kinds.includes(u.kind))
      setOptions(found)
    }, 200)
  }
  const pick = (u: UnitPublic) => {
    seq.current++
    setChosen(u)
    setText(u.code)
    setOptions(null)
    onChange(u.code, u)
  }
  const listId = `${id}-options`
  return (
    <div class="field unit-picker">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="search"
        autocomplete="off"
        role="combobox"
        aria-expanded={options !== null}
        aria-controls={listId}
        aria-invalid={error ? true : undefined}
        placeholder={t('picker.search')}
        required={required}
        value={text}
        onInput={(e) => {
          const v = e.currentTarget.value
          setText(v)
          setChosen(null)
          onChange(v.trim())
          search(v)
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') setOptions(null)
        }}
      />
      {hint && <p class="hint">{hint}</p>}
      {chosen && <p class="hint">{t('picker.chosen', { name: chosen.name, code: chosen.code })}</p>}
      {options !== null && (
        <ul id={listId} role="listbox" class="picker-options" aria-label={label}>
          {options.length === 0 && <li class="muted small">{t('picker.none')}</li>}
          {options.map((u) => (
            <li key={u.id} role="option" aria-selected={false} tabIndex={0} onClick={() => pick(u)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault()
                  pick(u)
                }
              }}>
              {u.name} <span class="muted small">{t(`kind.${u.kind}` as MessageKey)} · {u.code}</span>
            </li>
          ))}
        </ul>
      )}
      {error && <p class="field-error">{error}</p>}
    </div>
  )
}
