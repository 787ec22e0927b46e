/**
 * Device credentials, issued once and stored only as a hash. MQTT: the secret's scrypt hash
 * (`secret_hash`, checked by the gateway's DeviceAuthenticator). SCAIP: SIP digest (RFC 3261
 * §22.4) with username = device id and realm `trygg`; what is stored is `sip_ha1` =
 * MD5(username:realm:password), the one value a digest verifier needs, so the password itself
 * is never kept. (MD5 is what SIP digest with the algorithm every SCAIP device supports requires.)
 */
import type { DeviceCredentials } from '@trygg/alarm-core';
import { digestHa1 } from '../scaip-units.js';
import { hashSecret, newSecret } from '../secrets.js';

export const SIP_REALM = 'trygg';

/** HA1 of SIP digest authentication (RFC 2617 §3.2.2.2): the same function the SCAIP receiver checks with. */
export const sipHa1 = digestHa1;

/** New credentials for a device, and the columns to store. */
export interface IssuedCredentials {
  credentials: DeviceCredentials;
  secretHash: string | null;
  /** SCAIP: the digest user, the realm the receiver challenges with, and HA1 (the columns the receiver reads). */
  sipUsername: string | null;
  sipRealm: string | null;
  sipHa1: string | null;
}

export async function issueCredentials(
  deviceId: string,
  protocol: 'mqtt' | 'scaip',
  realm: string = SIP_REALM,
): Promise<IssuedCredentials> {
  const secret = newSecret();
  if (protocol === 'mqtt') {
    return {
      credentials: { protocol, username: deviceId, secret },
      secretHash: await hashSecret(secret),
      sipUsername: null,
      sipRealm: null,
      sipHa1: null,
    };
  }
  return {
    credentials: { protocol, username: deviceId, realm, password: secret },
    secretHash: null,
    sipUsername: deviceId,
    sipRealm: realm,
    sipHa1: digestHa1(deviceId, realm, secret),
  };
}
