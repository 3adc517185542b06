/**
 * A text for people, as a code of the cloud's message catalogue (cloud/src/messages/catalog.ts,
 * GET /api/v1/messages) and the values it names: the console and notifications show it in
 * 中文 or English, and the English text goes where a plain string is expected.
 */
export interface Message {
  code: string;
  params?: Record<string, string | number>;
}
