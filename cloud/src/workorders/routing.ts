/**
 * Who gets a new work order: an active inspector of the alert's area with the skill it
 * calls for and the fewest open orders (ties: the one assigned longest ago, then by id,
 * so the choice is repeatable). Pure, so every rule is tested on its own.
 */
import type { AlertType, AlertTypeMeta, Inspector } from '@gridsafe/shared';
import { formatMessage } from '../messages/catalog.js';
import type { Message } from '@gridsafe/shared';

export interface RoutingNeed {
  area: string | null;
  skill: string;
}

export interface RoutingLoad {
  /** Open (not resolved) orders per inspector id. */
  open: ReadonlyMap<string, number>;
  /** Last time each inspector was given an order (ms). */
  lastAssignedAt: ReadonlyMap<string, number>;
}

export interface RoutingDecision {
  assignee: string | null;
  /** Why, in English (kept on the order and in its log)... */
  reason: string;
  /** ...and as a catalogue message, for readers of either language. */
  message: Message;
}

function decision(assignee: string | null, message: Message): RoutingDecision {
  return { assignee, reason: formatMessage(message, 'en'), message };
}

export function chooseAssignee(
  inspectors: readonly Inspector[],
  need: RoutingNeed,
  load: RoutingLoad,
): RoutingDecision {
  if (!need.area) return decision(null, { code: 'routing.no_area' });
  const inArea = inspectors.filter((i) => i.active && i.areas.includes(need.area!));
  if (!inArea.length) return decision(null, { code: 'routing.no_inspector', params: { area: need.area } });
  const skilled = inArea.filter((i) => i.skills.includes(need.skill));
  const pool = skilled.length ? skilled : inArea;
  const best = [...pool].sort(
    (a, b) =>
      (load.open.get(a.id) ?? 0) - (load.open.get(b.id) ?? 0) ||
      (load.lastAssignedAt.get(a.id) ?? 0) - (load.lastAssignedAt.get(b.id) ?? 0) ||
      a.id.localeCompare(b.id),
  )[0]!;
  const open = load.open.get(best.id) ?? 0;
  const code = !skilled.length ? 'routing.unskilled' : open === 1 ? 'routing.skilled_one' : 'routing.skilled';
  return decision(best.id, { code, params: { area: need.area, skill: need.skill, open } });
}

/** Who an unacknowledged order in `area` goes to: the area's lead, else the configured fallback. */
export function escalationTarget(
  inspectors: readonly Inspector[],
  area: string | null,
  fallback: string | null,
): string | null {
  const lead = inspectors
    .filter((i) => i.active && i.lead && area !== null && i.areas.includes(area))
    .sort((a, b) => a.id.localeCompare(b.id))[0];
  return lead?.id ?? fallback;
}

/** The skill each alert type asks for by default: its metadata's (detectors' meta.ts), else "general". */
export function defaultSkills(alertTypes: readonly AlertTypeMeta[]): (type: AlertType) => string {
  const skills = new Map(alertTypes.map((meta) => [meta.type, meta.defaultSkill]));
  return (type) => skills.get(type) ?? 'general';
}
