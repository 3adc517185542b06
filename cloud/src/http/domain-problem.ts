/**
 * The status and code of an error a feature or store raised on purpose (not found, a
 * conflict, a bad reference), for the error handler and for routes that report several
 * outcomes in one answer (bulk acknowledge). Anything else is not a user's problem: null.
 */
import { CaseTransitionError } from '../cases/errors.js';
import { AlertLifecycleError } from '../storage/relational/alert-store.js';
import { RegistryError } from '../storage/relational/registry-entities.js';
import { HttpProblem } from './problem.js';
import type { Message } from '@gridsafe/shared';

export function domainProblem(
  error: unknown,
): { status: number; code: string; message: string; text?: Message | undefined } | null {
  if (error instanceof HttpProblem)
    return { status: error.status, code: error.code, message: error.message, text: error.text };
  if (error instanceof RegistryError || error instanceof AlertLifecycleError || error instanceof CaseTransitionError) {
    const status = error.kind === 'not_found' ? 404 : error.kind === 'invalid_reference' ? 422 : 409;
    return { status, code: error.kind, message: error.message, text: error.text };
  }
  return null;
}
