/** Device credentials: SIP digest HA1 as RFC 2617 computes it, and what is stored for each protocol. */
import { describe, expect, it } from 'vitest';
import { verifySecret } from '../secrets.js';
import { SIP_REALM, issueCredentials, sipHa1 } from './credentials.js';

describe('device credentials', () => {
  it('computes HA1 like RFC 2617 §3.5', () => {
    expect(sipHa1('Mufasa', 'testrealm@host.com', 'Circle Of Life')).toBe('939e7578ed9e3c518a452acee763bce9');
  });

  it('stores only an scrypt hash for MQTT and only HA1 for SCAIP', async () => {
    const mqtt = await issueCredentials('dev-1', 'mqtt');
    expect(mqtt.sipHa1).toBeNull();
    expect(mqtt.credentials).toMatchObject({ protocol: 'mqtt', username: 'dev-1' });
    const secret = mqtt.credentials.protocol === 'mqtt' ? mqtt.credentials.secret : '';
    expect(await verifySecret(secret, mqtt.secretHash ?? '')).toBe(true);

    const scaip = await issueCredentials('dev-2', 'scaip');
    expect(scaip.secretHash).toBeNull();
    expect(scaip.credentials).toMatchObject({ protocol: 'scaip', username: 'dev-2', realm: SIP_REALM });
    const password = scaip.credentials.protocol === 'scaip' ? scaip.credentials.password : '';
    expect(scaip.sipHa1).toBe(sipHa1('dev-2', 'trygg', password));
  });
});
