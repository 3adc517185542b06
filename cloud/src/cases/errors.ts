/** A refused case action; the HTTP layer turns `kind` into the status (404, 409). */
import { formatMessage } from '../messages/catalog.js';
import type { Message } from '@gridsafe/shared';

export class CaseTransitionError extends Error {
  /** The refusal as a catalogue message, for readers of either language. */
  readonly text: Message;
  constructor(
    readonly kind: 'not_found' | 'not_allowed' | 'note_required' | 'same_state',
    text: Message,
  ) {
    super(formatMessage(text, 'en'));
    this.name = 'CaseTransitionError';
    this.text = text;
  }
}
