/**
 * Refusals of the workflow (work orders, cases, notifications), carrying the HTTP status
 * and a stable code; the routes turn them into application/problem+json documents.
 */
import { formatMessage } from '../messages/catalog.js';
import type { Message } from '@gridsafe/shared';

export type WorkflowErrorCode =
  | 'not_found'
  | 'forbidden'
  | 'out_of_area'
  | 'not_allowed'
  | 'note_required'
  | 'same_state'
  | 'conflict'
  | 'too_large'
  | 'unsupported_type'
  | 'invalid';

const STATUS: Record<WorkflowErrorCode, number> = {
  not_found: 404,
  forbidden: 403,
  out_of_area: 403,
  not_allowed: 409,
  note_required: 422,
  same_state: 409,
  conflict: 409,
  too_large: 413,
  unsupported_type: 415,
  invalid: 400,
};

export class WorkflowError extends Error {
  readonly status: number;
  /** The refusal as a catalogue message, for readers of either language. */
  readonly text: Message | undefined;
  constructor(
    readonly code: WorkflowErrorCode,
    detail: string | Message,
  ) {
    super(typeof detail === 'string' ? detail : formatMessage(detail, 'en'));
    this.name = 'WorkflowError';
    this.status = STATUS[code];
    this.text = typeof detail === 'string' ? undefined : detail;
  }
}
