// Vietnamese first, English second. `t(key)` reads the current language;
// the choice is kept in localStorage under `tiendo.lang`.
import { en } from './messages/en'
import { vi, type MessageKey } from './messages/vi'
import { createStore, storage, useStore } from './store'

export type Lang = 'vi' | 'en'
export const LANGS: readonly Lang[] = ['vi', 'en']
const LANG_KEY = 'tiendo.lang'

export type { MessageKey }

export const dictionaries: Record<Lang, Record<MessageKey, string>> = { vi, en }

function initialLang(): Lang {
  const saved = storage.get(LANG_KEY)
  return saved === 'en' || saved === 'vi' ? saved : 'vi'
}

export const langStore = createStore<Lang>(initialLang())

export function getLang(): Lang {
  return langStore.get()
}

export function setLang(lang: Lang): void {
  storage.set(LANG_KEY, lang)
  langStore.set(lang)
  if (typeof document !== 'undefined') document.documentElement.lang = lang
}

/**
 * Translate a key. `{name}` placeholders are replaced from `params`.
 * Unknown keys fall back to Vietnamese, then to the key itself.
 */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  let text: string = dictionaries[langStore.get()][key] ?? vi[key] ?? key
  if (params) {
    text = text.replace(/\{(\w+)\}/g, (m, name: string) =>
      name in params ? String(params[name]) : m,
    )
  }
  return text
}

/** Hook: re-render when the language changes; returns the current language. */
export function useLang(): Lang {
  return useStore(langStore)
}
