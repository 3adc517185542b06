/** The numbering of copies (`count` with "{n}" in an id or path). */

/** Expands "{n}" in a copy's id or path with its number, zero-padded to `pad` digits. */
export function nth(template: string, n: number, pad: number): string {
  return template.replaceAll('{n}', String(n).padStart(pad, '0'));
}

/** How many copies, and the digits of their numbers (defaults 1 and 3). */
export function copies(item: { count?: number; pad?: number }): { count: number; pad: number } {
  return { count: item.count ?? 1, pad: item.pad ?? 3 };
}
