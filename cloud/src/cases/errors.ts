/** A refused case action; the HTTP layer turns `kind` into the status (404, 409). */
export class CaseTransitionError extends Error {
  constructor(
    readonly kind: 'not_found' | 'not_allowed' | 'note_required' | 'same_state',
    message: string,
  ) {
    super(message);
    this.name = 'CaseTransitionError';
  }
}
