/**
 * Links between the console's pages: a capacity alert leads to its case, a case back to the
 * customer's capacity alerts; transformers and customers to their pages. Subjects without a
 * page (devices, gateways) stay text.
 * Live events redraw only the links, so a note being typed on the page is kept.
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import { t, tv } from '../i18n.js';
import { fmtTime } from '../time.js';
import type { AlertRecord, CaseRecord, CaseWorkflow, Page } from '@gridsafe/shared';

/** A link to a transformer's page. */
export function transformerLink(id: string): HTMLElement {
  return h('a', { href: `#/transformer/${encodeURIComponent(id)}`, class: 'subject-link', 'data-transformer': id }, id);
}

/** A link to a customer's page (its name when known). */
export function customerLink(id: string, name?: string): HTMLElement {
  return h(
    'a',
    { href: `#/customer/${encodeURIComponent(id)}`, class: 'subject-link', 'data-customer': id },
    name ? `${id} — ${name}` : id,
  );
}

/** An alert's subject: a link when it has a page (a transformer or a customer), else its id. */
export function subjectLink(subject: string, kind: string | undefined): HTMLElement | string {
  if (kind === 'transformer') return transformerLink(subject);
  if (kind === 'customer') return customerLink(subject);
  return subject;
}

/** The customer's case to follow from an alert: the open one (a state with moves left), else the latest. */
export async function caseOfCustomer(customer: string): Promise<CaseRecord | null> {
  const [cases, workflow] = await Promise.all([
    api<Page<CaseRecord>>('GET', `/api/v1/cases?customer=${encodeURIComponent(customer)}&limit=50`),
    api<CaseWorkflow>('GET', '/api/v1/cases/workflow'),
  ]);
  const open = cases.items.find((c) => (workflow.transitions[c.state] ?? []).length > 0);
  return open ?? cases.items[0] ?? null;
}

export function caseLink(record: CaseRecord | null): HTMLElement {
  if (!record) return h('span', { class: 'muted', id: 'alert-case' }, t('none'));
  return h(
    'a',
    { id: 'alert-case', href: `#/case/${encodeURIComponent(record.id)}`, 'data-case-id': record.id },
    `${record.id} (${tv(record.state)})`,
  );
}

/** The customer's capacity alerts, newest first. */
export async function capacityAlertsOf(customer: string): Promise<AlertRecord[]> {
  const page = await api<Page<AlertRecord>>(
    'GET',
    `/api/v1/alerts?type=capacity_violation&subject=${encodeURIComponent(customer)}&sort=newest&silenced=include&limit=20`,
  );
  return page.items;
}

export function alertLinks(alerts: AlertRecord[]): HTMLElement {
  if (!alerts.length) return h('span', { class: 'muted', id: 'case-alerts' }, t('none'));
  return h(
    'ul',
    { class: 'links', id: 'case-alerts' },
    ...alerts.map((a) =>
      h(
        'li',
        {},
        h(
          'a',
          { href: `#/alert/${encodeURIComponent(a.id)}`, 'data-alert-id': a.id },
          `${fmtTime(a.openedAt)} · ${tv(a.severity)} · ${tv(a.state)}`,
        ),
      ),
    ),
  );
}

/** Redraws an alert page's case link after a case of the customer opened or moved. */
export async function refreshCaseLink(container: HTMLElement, customer: string): Promise<void> {
  container.querySelector('#alert-case')?.replaceWith(caseLink(await caseOfCustomer(customer)));
}

/** Redraws a case page's alert links after a capacity alert of the customer changed. */
export async function refreshAlertLinks(container: HTMLElement, customer: string): Promise<void> {
  container.querySelector('#case-alerts')?.replaceWith(alertLinks(await capacityAlertsOf(customer)));
}
