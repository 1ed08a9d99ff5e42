import type { ApiError } from '../api/errors'
import { getLang, t } from '../i18n'

interface Props {
  error: ApiError | string | null | undefined
  onRetry?: () => void
  title?: string
}

/** Shows an API error (or a plain message). Renders nothing when there is no error. */
export function ErrorBox({ error, onRetry, title }: Props) {
  if (!error) return null
  const e: ApiError =
    typeof error === 'string' ? { code: 'client', message: error, field: null, details: [] } : error
  // Server messages are Vietnamese; translate the client-side network message.
  const message = e.code === 'network' && getLang() !== 'vi' ? t('error.network') : e.message
  return (
    <div class="error-box" role="alert">
      <p class="error-title">{title ?? t('common.error')}</p>
      <p>{message}</p>
      {e.code !== 'client' && <p class="error-code">{e.code}</p>}
      {onRetry && (
        <button type="button" class="btn" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  )
}
