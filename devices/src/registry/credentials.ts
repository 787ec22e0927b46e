/**
 * Device credentials, issued once and stored only as a hash. MQTT: the secret's scrypt hash
 * (`secret_hash`, checked by the gateway's DeviceAuthenticator). SCAIP: SIP digest (RFC 3261
 * §22.4) with username = device id and realm `trygg`; what is stored is `sip_ha1` =
 * MD5(username:realm:password), the one value a digest verifier needs, so the password itself
 * is never kept. (MD5 is what SIP digest with the algorithm every SCAIP device supports requires.)
 */
import { createHash } from 'node:crypto';
import type { DeviceCredentials } from '@trygg/alarm-core';
import { hashSecret, newSecret } from '../secrets.js';

export const SIP_REALM = 'trygg';

/** HA1 of SIP digest authentication (RFC 2617 §3.2.2.2). */
export function sipHa1(username: string, realm: string, password: string): string {
  return createHash('md5').update(`${username}:${realm}:${password}`).digest('hex');
}

/** New credentials for a device, and the columns to store. */
export async function issueCredentials(
  deviceId: string,
  protocol: 'mqtt' | 'scaip',
): Promise<{ credentials: DeviceCredentials; secretHash: string | null; sipHa1: string | null }> {
  const secret = newSecret();
  if (protocol === 'mqtt') {
    return { credentials: { protocol, username: deviceId, secret }, secretHash: await hashSecret(secret), sipHa1: null };
  }
  return {
    credentials: { protocol, username: deviceId, realm: SIP_REALM, password: secret },
    secretHash: null,
    sipHa1: sipHa1(deviceId, SIP_REALM, secret),
  };
}
