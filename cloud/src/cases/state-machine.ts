/**
 * The capacity-case workflow (CONTRACT.md, "Alert and case types"): which moves are
 * allowed, who may make them, and what each move needs. Pure: the store applies it
 * inside a transaction, the console uses the same table to show only the buttons that work.
 */
import type { CaseState } from '@gridsafe/shared';

/**
 * new → under_review → field_check → confirmed | dismissed.
 * A reviewer may dismiss straight from under_review (the evidence is bad data), and a
 * field check may send the case back to review (the site visit raised new questions).
 * confirmed and dismissed are final: new evidence for the customer opens a new case.
 */
export const CASE_TRANSITIONS: Readonly<Record<CaseState, readonly CaseState[]>> = {
  new: ['under_review'],
  under_review: ['field_check', 'dismissed'],
  field_check: ['confirmed', 'dismissed', 'under_review'],
  confirmed: [],
  dismissed: [],
};

/** Decisions need a written reason: the note is what an auditor files with the case. */
export const NOTE_REQUIRED_FOR: readonly CaseState[] = ['confirmed', 'dismissed'];

/** Why a move is refused, with the values its message (messages/catalog.ts, problem.case_<code>) names. */
export type TransitionRefusal =
  // next: the states it can move to, as a list ("a|b", messages/catalog.ts); none from a final state.
  | { code: 'not_allowed'; params: { from: CaseState; to: CaseState; next: string } }
  | { code: 'not_allowed'; final: true; params: { from: CaseState; to: CaseState } }
  | { code: 'note_required'; params: { to: CaseState } }
  | { code: 'same_state'; params: { from: CaseState } };

export function allowedNext(from: CaseState): readonly CaseState[] {
  return CASE_TRANSITIONS[from];
}

/** Returns null when the move may be made, or why it may not. */
export function checkTransition(from: CaseState, to: CaseState, note: string | undefined): TransitionRefusal | null {
  if (from === to) return { code: 'same_state', params: { from } };
  const next = CASE_TRANSITIONS[from];
  if (!next.includes(to)) {
    if (next.length === 0) return { code: 'not_allowed', final: true, params: { from, to } };
    return { code: 'not_allowed', params: { from, to, next: next.join('|') } };
  }
  if (NOTE_REQUIRED_FOR.includes(to) && !(note && note.trim())) {
    return { code: 'note_required', params: { to } };
  }
  return null;
}

export function isFinal(state: CaseState): boolean {
  return CASE_TRANSITIONS[state].length === 0;
}
