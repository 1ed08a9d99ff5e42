import { useState } from 'preact/hooks'
import type { CampaignPublic } from '../../api/types'
import { useAuth } from '../../auth'
import { CampaignPicker, WithCampaign } from '../../campaign'
import { Page } from '../../components/Page'
import { formatWeek } from '../../format'
import { getLang, t } from '../../i18n'
import { campaignWeeks, currentPeriod, dueAt } from '../../period'
import { grantsWith } from '../../roles'
import { Completeness } from '../overview/Completeness'
import { Locks } from './Locks'
import { Review } from './Review'
import { Transfer } from './Transfer'

export function ManagePage() {
  return (
    <Page title={t('manage.title')}>
      <CampaignPicker />
      <WithCampaign>{(c) => <Manage key={c.code} campaign={c} />}</WithCampaign>
    </Page>
  )
}

function Manage({ campaign }: { campaign: CampaignPublic }) {
  const { user } = useAuth()
  const grants = grantsWith(user, 'manager')
  const [under, setUnder] = useState(grants[0]?.unit ?? '')
  const [period, setPeriod] = useState(currentPeriod(campaign))
  const [version, setVersion] = useState(0)
  const changed = () => setVersion((v) => v + 1)
  const weeks = campaignWeeks(campaign).reverse()
  const lang = getLang()
  return (
    <>
      <div class="toolbar">
        <div class="field">
          <label for="manage-period">{t('report.period')}</label>
          <select id="manage-period" value={period} onChange={(e) => setPeriod(e.currentTarget.value)}>
            {weeks.map((w) => (
              <option key={w} value={w}>
                {formatWeek(w, lang)}
              </option>
            ))}
          </select>
        </div>
        {grants.length > 1 && (
          <div class="field">
            <label for="manage-under">{t('common.unit')}</label>
            <select id="manage-under" value={under} onChange={(e) => setUnder(e.currentTarget.value)}>
              {grants.map((g) => (
                <option key={g.unit} value={g.unit}>
                  {g.unit_name}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      <Completeness
        campaign={campaign.code}
        period={period}
        under={under}
        canRemind
        version={version}
      />
      <Review campaign={campaign.code} metrics={campaign.metrics} period={period} under={under} version={version} onChange={changed} />
      <Locks campaign={campaign.code} period={period} under={under} unitName={grants.find((g) => g.unit === under)?.unit_name ?? under} due={dueAt(campaign, period)} onChange={changed} />
      <Transfer campaign={campaign.code} period={period} under={under} onImported={changed} />
    </>
  )
}
