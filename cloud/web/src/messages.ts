/**
 * Server texts for people (routing reasons, refusals) in the reader's language: the
 * server sends a catalogue code and its values (cloud/src/messages/catalog.ts), the
 * catalogue comes from GET /api/v1/messages, values that are states or roles go
 * through the console's own labels (i18n.ts), else the server's. Without an entry the server's English stays.
 */
import type { Message } from '@gridsafe/shared';
import { lang, tv } from './i18n.js';

type Catalogue = Record<string, readonly [string, string]>;
let templates: Catalogue = {};
/** The server's labels of values inside messages (kinds of things: transformer, work order…). */
let serverValues: Catalogue = {};

/** Loads the catalogue once at start (it needs no token, so the sign-in page has it too). */
export async function loadMessages(): Promise<void> {
  const response = await fetch('/api/v1/messages');
  if (!response.ok) return;
  const body = (await response.json()) as { messages: Catalogue; values?: Catalogue };
  templates = body.messages;
  serverValues = body.values ?? {};
}

/** A value in the current language: the console's label, else the server's, else the value itself. */
function label(value: string): string {
  const own = tv(value);
  return own !== value ? own : (serverValues[value]?.[lang() === 'zh' ? 0 : 1] ?? own);
}

/** The message in the current language, or `fallback` (the server's English) when the catalogue lacks it. */
export function tm(message: Message | null | undefined, fallback: string): string {
  const template = message ? templates[message.code]?.[lang() === 'zh' ? 0 : 1] : undefined;
  if (!message || template === undefined) return fallback;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = message.params?.[name];
    if (value === undefined) return whole;
    const items = String(value).split('|');
    // A list of known values ("a|b", the states a case can move to) reads as alternatives.
    if (items.length > 1 && items.every((item) => label(item) !== item))
      return items.map(label).join(lang() === 'zh' ? '或' : ' or ');
    return label(String(value));
  });
}

/** A refusal of the API: its message when it has one, else its English detail under a lead-in for its status. */
export function problemText(status: number, detail: string, message: Message | undefined): string {
  return message ? tm(message, detail) : tm({ code: `problem.status.${status}`, params: { detail } }, detail);
}
