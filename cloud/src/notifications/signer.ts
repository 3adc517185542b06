/**
 * Webhook signatures: HMAC-SHA256 over `${timestamp}.${body}`, so a receiver can check
 * both that the body came from us and that it is fresh (a replayed request carries an
 * old timestamp). The scheme is the one Stripe and GitHub receivers already know.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-gridsafe-signature';
export const TIMESTAMP_HEADER = 'x-gridsafe-timestamp';
export const DELIVERY_HEADER = 'x-gridsafe-delivery';
export const EVENT_HEADER = 'x-gridsafe-event';

/** `v1=<hex>`: the version prefix lets the scheme change without breaking receivers. */
export function sign(secret: string, timestampMs: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampMs}.${body}`).digest('hex')}`;
}

export function signedHeaders(
  secret: string,
  timestampMs: number,
  body: string,
  deliveryId: string,
  event: string,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    [TIMESTAMP_HEADER]: String(timestampMs),
    [SIGNATURE_HEADER]: sign(secret, timestampMs, body),
    [DELIVERY_HEADER]: deliveryId,
    [EVENT_HEADER]: event,
  };
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/**
 * What a receiver runs: the signature must match and the timestamp must be within
 * `toleranceMs` of the receiver's clock (default 5 minutes).
 */
export function verify(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  now = Date.now(),
  toleranceMs = 300_000,
): VerifyResult {
  const ts = single(headers[TIMESTAMP_HEADER]);
  const signature = single(headers[SIGNATURE_HEADER]);
  if (!ts || !/^\d{1,16}$/.test(ts)) return { ok: false, reason: `missing or malformed ${TIMESTAMP_HEADER}` };
  if (!signature) return { ok: false, reason: `missing ${SIGNATURE_HEADER}` };
  if (Math.abs(now - Number(ts)) > toleranceMs)
    return { ok: false, reason: `timestamp ${ts} is outside the ${toleranceMs} ms tolerance` };
  const expected = Buffer.from(sign(secret, Number(ts), body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, reason: 'signature does not match' };
  return { ok: true };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
