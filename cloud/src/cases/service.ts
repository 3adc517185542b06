/**
 * Capacity cases as people work on them: listing and reading, moves along the workflow
 * (cases/state-machine.ts decides, inside the store's transaction), the penalty kept with
 * a confirmation, comments, and the estimate as it stands. Detection opens and updates
 * cases through it too (it is detection's CaseStore).
 */
import type { EventEmitter } from 'node:events';
import type {
  AuditEntry,
  CaseComment,
  CaseRecord,
  CaseState,
  EquipmentFound,
  PenaltyEstimate,
  Tariff,
} from '@gridsafe/shared';
import type { CapacityCaseEvidence, CaseStore, RegistryView } from '../detector-kit/types.js';
import type { SqlCaseStore } from '../storage/relational/case-store.js';
import { CaseTransitionError } from './errors.js';
import { estimatePenalty, type PenaltyInput, type PenaltyRules } from './penalty.js';
import { checkTransition } from './state-machine.js';

export interface CaseFilter {
  state?: CaseState;
  customer?: string;
  /** Only these customers (an inspector's areas). */
  customers?: string[];
}

export class CaseService implements CaseStore {
  /**
   * ('change', case, action) after each committed change (the store's), and
   * ('comment', case, comment) after a comment.
   */
  readonly events: EventEmitter;

  constructor(
    private readonly store: SqlCaseStore,
    private readonly registry: Pick<RegistryView, 'customer'>,
    /** The rules in force; the built-in defaults (cases/penalty.ts) when not configured. */
    private readonly penaltyRules?: PenaltyRules,
  ) {
    this.events = store.events;
  }

  /** Detection's evidence: opens the customer's case or adds to its open one. */
  openOrUpdate(evidence: CapacityCaseEvidence): Promise<string> {
    return this.store.openOrUpdate(evidence);
  }

  list(filter: CaseFilter, limit: number, offset: number): Promise<{ items: CaseRecord[]; total: number }> {
    return this.store.list(filter, limit, offset);
  }

  get(id: string): Promise<CaseRecord | undefined> {
    return this.store.get(id);
  }

  history(id: string): Promise<AuditEntry[]> {
    return this.store.history(id);
  }

  /**
   * Moves a case on when the workflow allows it (else CaseTransitionError, nothing
   * changed). A confirmation keeps the penalty estimated at that moment, when the
   * customer is in the registry.
   */
  async transition(id: string, to: CaseState, actor: string, note: string | undefined): Promise<CaseRecord> {
    const moved = await this.store.transition(id, actor, note, (current) => {
      const refusal = checkTransition(current.state, to, note);
      if (refusal)
        throw new CaseTransitionError(refusal.code, {
          code: `problem.case_${'final' in refusal ? 'final' : refusal.code}`,
          params: { id, ...refusal.params },
        });
      const penalty = to === 'confirmed' ? this.penaltyOnConfirmation(current) : undefined;
      return penalty ? { to, penalty } : { to };
    });
    if (!moved) throw new CaseTransitionError('not_found', { code: 'problem.case_not_found', params: { id } });
    return moved;
  }

  /**
   * Records the equipment found on site (nameplate kVA, a description, a photo reference):
   * only while the case is in field_check, the step where someone is on site. The penalty
   * then takes the added capacity from the nameplate.
   */
  async recordEquipment(
    id: string,
    actor: string,
    found: { nameplateKva: number; description?: string; photo?: string },
  ): Promise<CaseRecord> {
    const equipment: EquipmentFound = {
      nameplateKva: found.nameplateKva,
      description: found.description?.trim() || null,
      photo: found.photo?.trim() || null,
      recordedBy: actor,
      recordedAt: Date.now(),
    };
    const recorded = await this.store.recordEquipment(id, equipment, (current) => {
      if (current.state !== 'field_check') {
        throw new CaseTransitionError('not_allowed', {
          code: 'problem.case_equipment_step',
          params: { id, state: current.state },
        });
      }
    });
    if (!recorded) throw new CaseTransitionError('not_found', { code: 'problem.case_not_found', params: { id } });
    return recorded;
  }

  /** Comments on a case, oldest first (the comment lines of its trail). */
  async comments(id: string): Promise<CaseComment[]> {
    return (await this.store.history(id))
      .filter((h) => h.action === 'comment')
      .map((h) => ({ id: h.id, caseId: h.caseId, at: h.at, author: h.actor, text: h.note ?? '' }));
  }

  async addComment(record: CaseRecord, author: string, text: string): Promise<CaseComment> {
    const comment = await this.store.addComment(record.id, author, text);
    this.events.emit('comment', record, comment);
    return comment;
  }

  /** The penalty as it would be now under the rules in force (a customer not in the registry counts as `single`). */
  estimateNow(record: CaseRecord): PenaltyEstimate {
    const tariff: Tariff = this.registry.customer(record.customer)?.tariff ?? 'single';
    return estimatePenalty(penaltyInput(record, tariff), this.penaltyRules);
  }

  private penaltyOnConfirmation(record: CaseRecord): PenaltyEstimate | undefined {
    const customer = this.registry.customer(record.customer);
    return customer ? estimatePenalty(penaltyInput(record, customer.tariff), this.penaltyRules) : undefined;
  }
}

function penaltyInput(record: CaseRecord, tariff: Tariff): PenaltyInput {
  return {
    tariff,
    contractKva: record.contractKva,
    maxDemandKw: record.maxDemandKw,
    excessKva: record.excessKva,
    maxDemandKva: record.maxDemandKva,
    nameplateKva: record.equipment?.nameplateKva ?? null,
    firstSeen: record.firstSeen,
    lastSeen: record.lastSeen,
  };
}
