/** Ids in scenarios, and the numbering of copies (`count` with "{n}" in an id or path). */

export const ID = /^[A-Za-z0-9_-]{1,64}$/;
export const ID_TEXT = 'an id of 1-64 letters, digits, "_" or "-"';
/** Ids of copies may hold "{n}", replaced by the copy's number. */
export const TEMPLATE_ID = /^[A-Za-z0-9_{}-]{1,64}$/;

/** Expands "{n}" in a copy's id or path with its number, zero-padded to `pad` digits. */
export function nth(template: string, n: number, pad: number): string {
  return template.replaceAll('{n}', String(n).padStart(pad, '0'));
}
