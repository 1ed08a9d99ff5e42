import { formatNumber, formatPercent } from '../format'

interface Props {
  value: number
  max: number
  /** Accessible name, e.g. "Tiến độ cài đặt iHanoi". */
  label: string
  /** Show "2.850 / 3.000 (95 %)" under the bar. */
  showNumbers?: boolean
}

export function ProgressBar({ value, max, label, showNumbers = true }: Props) {
  const safeMax = max > 0 ? max : 0
  const pct = safeMax ? Math.min(100, Math.max(0, (value / safeMax) * 100)) : 0
  const text = `${formatNumber(value)} / ${formatNumber(safeMax)} (${formatPercent(pct)})`
  const tone = pct >= 100 ? 'ok' : pct >= 50 ? 'info' : 'warn'
  return (
    <div class="progress">
      <div
        class="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={safeMax}
        aria-valuenow={Math.min(Math.max(value, 0), safeMax)}
        aria-valuetext={text}
      >
        <div class={`progress-fill progress-${tone}`} style={{ width: `${pct}%` }} />
      </div>
      {showNumbers && (
        <p class="progress-text" aria-hidden="true">
          {text}
        </p>
      )}
    </div>
  )
}
