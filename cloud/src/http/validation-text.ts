/**
 * One failing field of a JSON-schema check (ajv's error) as a catalogue message, so the
 * request validator and the CSV import say the same thing in 中文 and English. `where`
 * names the field for a person ("body/ratedKva", "line 3, ratedKva").
 */
import type { Message } from '@gridsafe/shared';

/** What ajv and Fastify's validation errors both carry. */
export interface SchemaError {
  keyword: string;
  params: object;
  message?: string | undefined;
}

/** The English words ajv gave (kept as the API's `errors[].message`) and the message. */
export function validationText(
  error: SchemaError,
  where: string,
  unknownName: 'field' | 'column',
): {
  message: string;
  text: Message;
} {
  const params = error.params as Record<string, unknown>;
  const english = error.message ?? 'is invalid';
  const text = (code: string, extra: Record<string, string | number> = {}): Message => ({
    code: `validation.${code}`,
    params: { where, ...extra },
  });
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = String(params['additionalProperty']);
      return { message: `unknown ${unknownName} "${field}"`, text: text(`unknown_${unknownName}`, { field }) };
    }
    case 'required':
      return { message: english, text: text('required', { field: String(params['missingProperty']) }) };
    case 'type':
      return { message: english, text: text('type', { type: String(params['type']) }) };
    case 'enum':
      return {
        message: english,
        text: text('enum', { allowed: (params['allowedValues'] as unknown[]).map(String).join(', ') }),
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'minLength':
    case 'maxLength':
      return { message: english, text: text(error.keyword, { limit: Number(params['limit']) }) };
    case 'pattern':
      return { message: english, text: text('pattern', { pattern: String(params['pattern']) }) };
    case 'format':
      return { message: english, text: text('format', { format: String(params['format']) }) };
    default:
      return { message: english, text: text('invalid', { detail: english }) };
  }
}
