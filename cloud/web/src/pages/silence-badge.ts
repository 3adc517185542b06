/** The badge an alert raised during a silence or maintenance window carries while it is hidden: "silenced: reason, until". */
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { fmtTime } from '../time.js';
import type { AlertRecord } from '@gridsafe/shared';

export function silenceBadge(alert: AlertRecord, site?: string | null): HTMLElement | null {
  const silence = alert.silence;
  if (!silence || silence.until <= Date.now()) return null;
  return h(
    'span',
    { class: 'badge silenced', 'data-silence-id': silence.id },
    `${t('silenced')}: ${silence.reason}, ${t('until')} ${fmtTime(silence.until, site)}`,
  );
}
