import type { AlertSilence } from '@gridsafe/shared';
/** Whether an alert is hidden now by the silence it was raised in (work orders and notifications wait for its end). */

export const isSilenced = (alert: { silence?: AlertSilence | null }, now = Date.now()): boolean =>
  !!alert.silence && alert.silence.until > now;
