// Minimal SVG chart for weekly series: bars or a line, optional target line.
// No chart library. The data is also given as a visually hidden table.
import { formatNumber, formatPercent } from '../format'

export interface Point {
  /** x label, e.g. "W30" */
  label: string
  value: number
}

interface Props {
  data: Point[]
  kind?: 'bar' | 'line'
  /** Accessible title, also used as the table caption. */
  title: string
  /** Optional horizontal reference line (e.g. weekly target). */
  target?: number
  height?: number
  /** Values are percentages: the axis and the table say "%". */
  percent?: boolean
}

const W = 400
const PAD = { top: 12, right: 8, bottom: 28, left: 48 }

function niceMax(v: number): number {
  if (v <= 0) return 1
  const pow = 10 ** Math.floor(Math.log10(v))
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * pow >= v) return m * pow
  return 10 * pow
}

export function Chart({ data, kind = 'bar', title, target, height = 220, percent = false }: Props) {
  const fmt = (v: number) => (percent ? formatPercent(v) : formatNumber(v))
  const H = height
  const innerW = W - PAD.left - PAD.right
  const innerH = H - PAD.top - PAD.bottom
  const max = niceMax(Math.max(0, target ?? 0, ...data.map((d) => d.value)))
  const y = (v: number) => PAD.top + innerH - (Math.max(0, v) / max) * innerH
  const step = data.length ? innerW / data.length : innerW
  const cx = (i: number) => PAD.left + step * i + step / 2
  const ticks = [0, max / 2, max]
  // Show at most ~8 x labels so they do not overlap on a phone.
  const every = Math.max(1, Math.ceil(data.length / 8))

  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        <title>{title}</title>
        {ticks.map((v) => (
          <g key={v}>
            <line class="chart-grid" x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
            <text class="chart-axis" x={PAD.left - 6} y={y(v) + 4} text-anchor="end">
              {percent ? `${formatNumber(v, 0)}%` : formatNumber(v, 1)}
            </text>
          </g>
        ))}
        {kind === 'bar'
          ? data.map((d, i) => (
              <rect
                key={d.label}
                class="chart-bar"
                x={cx(i) - step * 0.35}
                width={step * 0.7}
                y={y(d.value)}
                height={Math.max(0, PAD.top + innerH - y(d.value))}
              >
                <title>{`${d.label}: ${fmt(d.value)}`}</title>
              </rect>
            ))
          : data.length > 0 && (
              <>
                <polyline
                  class="chart-line"
                  points={data.map((d, i) => `${cx(i)},${y(d.value)}`).join(' ')}
                />
                {data.map((d, i) => (
                  <circle key={d.label} class="chart-dot" cx={cx(i)} cy={y(d.value)} r={4}>
                    <title>{`${d.label}: ${fmt(d.value)}`}</title>
                  </circle>
                ))}
              </>
            )}
        {target !== undefined && (
          <line class="chart-target" x1={PAD.left} x2={W - PAD.right} y1={y(target)} y2={y(target)} />
        )}
        {data.map((d, i) =>
          i % every === 0 ? (
            <text key={d.label} class="chart-axis" x={cx(i)} y={H - 8} text-anchor="middle">
              {d.label}
            </text>
          ) : null,
        )}
      </svg>
      {/* A table ignores width: 1px, so the wrapper is what hides it. */}
      <div class="visually-hidden">
      <table>
        <caption>{title}</caption>
        <tbody>
          {data.map((d) => (
            <tr key={d.label}>
              <th scope="row">{d.label}</th>
              <td>{fmt(d.value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </figure>
  )
}
