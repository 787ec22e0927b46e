/**
 * Name-based UUIDs (RFC 4122 §4.3, version 5, SHA-1): the same name always gives the same UUID,
 * so a retried journal bundle carries the same fullUrls as the first attempt.
 */
import { createHash } from 'node:crypto';

/** RFC 4122 Appendix C NameSpace_URL; Trygg's names are URNs (urn:trygg:…), which fits. */
export const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

/** The version-5 UUID of `name` in `namespace`. */
export function uuidV5(name: string, namespace: string = URL_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x50;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
