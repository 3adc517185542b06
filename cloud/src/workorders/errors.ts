/**
 * Refusals of the workflow (work orders, cases, notifications), carrying the HTTP status
 * and a stable code; the routes turn them into application/problem+json documents.
 */
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
  constructor(
    readonly code: WorkflowErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WorkflowError';
    this.status = STATUS[code];
  }
}
