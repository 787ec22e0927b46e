/**
 * Single-use sign-in links and "send me a new sign-in link" through the real API and database,
 * with nothing stood in for but the phones: the link SMS goes over SMPP to the demo's local SMSC,
 * and simulated phones (simulators/src/smsc) receive it. A link opens once and not after it runs
 * out; a known number gets a link at the number on record, an unknown one nothing, and both get
 * the same answer; requests are limited per number and per address; without an SMS gateway (a
 * node with no TRYGG_SMPP_HOST and no demo, hence no local SMSC) the page is told.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkIn } from './support/sms-double.js';
import { startPhones, type TestPhones } from './support/sms-phones.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let bare: TestService;
let phones: TestPhones;

beforeAll(async () => {
  svc = await startTestService({ config: { signInLinkPerNumber: 3, signInLinkPerAddress: 9 } });
  bare = await startTestService({ config: { demo: false } });
  phones = await startPhones(svc);
}, 60_000);
afterAll(async () => {
  phones?.stop();
  await svc?.stop();
  await bare?.stop();
});

/** The `after`-th text (from 0) to `to`, already received or still to come. */
const sms = (to: string, after = 0) => phones.next(to, after);
/** No text reaches `to` within a second (what was asked for before would have come by then). */
const noSms = async (to: string) => {
  await new Promise((r) => setTimeout(r, 1_000));
  return !phones.inbox.some((m) => m.to === to);
};

const tokenOf = (url: string) => url.replace(/^.*#link=/, '');
const redeem = (token: string) =>
  svc.api<{ token?: string; refreshToken?: string; code?: string; alarmId?: string | null }>('POST', '/api/auth/link', null, {
    token,
  });
const ask = (phone: string, on = svc) =>
  on.api<{ accepted?: boolean; code?: string }>('POST', '/api/auth/link-request', null, { phone });
const logged = async (msg: string, after: number) => {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50)))
    if (svc.logs.slice(after).some((l) => l.msg === msg)) return true;
  return false;
};

describe('sign-in links', () => {
  it('open once, start a lasting sign-in, and carry the alarm they were sent about', async () => {
    const url = await svc.trygg.signInLink('user-ola', { purpose: 'alert', alarmId: '00000000-0000-4000-8000-000000000001' });
    expect(url).toMatch(/^http:\/\/localhost:\d+\/#link=[A-Za-z0-9_-]{43}$/);
    const first = await redeem(tokenOf(url));
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).toBeTruthy();
    expect(first.body.alarmId).toBe('00000000-0000-4000-8000-000000000001');
    expect((await svc.api('GET', '/api/relative/alarms', first.body.token ?? '')).status).toBe(200);
    const again = await redeem(tokenOf(url));
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('TRYGG_ERR_SIGNIN_LINK_INVALID');
  });

  it('do not open after they run out', async () => {
    const url = await svc.trygg.signInLink('user-ola', { purpose: 'request', ttlS: 60 });
    await svc.trygg.pool.query(`UPDATE signin_links SET expires_at = now() - interval '1 second' WHERE used_at IS NULL`);
    const res = await redeem(tokenOf(url));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('TRYGG_ERR_SIGNIN_LINK_INVALID');
    expect(svc.logs.some((l) => l.code === 'TRYGG_ERR_SIGNIN_LINK_INVALID' && l.reason === 'expired')).toBe(true);
  });

  it('do not open for a relative whose consent was withdrawn', async () => {
    const url = await svc.trygg.signInLink('user-ola', { purpose: 'request' });
    await svc.trygg.pool.query(`UPDATE relatives SET consent_at = NULL WHERE user_id = 'user-ola'`);
    await svc.trygg.pool.query(`UPDATE relatives SET consent_at = now() WHERE user_id = 'user-ola'`);
    expect((await redeem(tokenOf(url))).status).toBe(401);
  });
});

describe('send me a new sign-in link', () => {
  it('texts a link to the number on record, in the person’s language, and it signs them in', async () => {
    // Typed without the country code, with spaces: the number on record is +4791234567.
    const res = await ask('912 34 567');
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: true });
    const msg = await sms('+4791234567');
    expect(msg.text).toMatch(/^Trygg: Logg inn med denne lenken/);
    const signedIn = await redeem(tokenOf(linkIn(msg.text)));
    expect(signedIn.status).toBe(200);
  });

  it('answers an unknown number exactly as a known one, and sends nothing', async () => {
    const before = svc.logs.length;
    const unknown = await ask('+47 400 00 000');
    const known = await ask('+47 912 34 567'); // Ola Nordmann's
    expect(unknown.status).toBe(known.status);
    expect(unknown.body).toEqual(known.body);
    expect(await sms('+4791234567', 1)).toBeTruthy();
    expect(await logged('sign-in link request: no person with this number', before)).toBe(true);
    expect(await noSms('+4740000000')).toBe(true);
    // Liv Hansen is a relative with consent but has never signed in (no account): nothing is sent.
    const liv = svc.logs.length;
    expect((await ask('+4792345678')).status).toBe(202);
    expect(await logged('sign-in link request: no person with this number', liv)).toBe(true);
    expect(await noSms('+4792345678')).toBe(true);
  });

  it('reaches a staff member with a number, never an operator', async () => {
    await svc.trygg.pool.query(`UPDATE users SET phone = '+46 70 123 45 67', locale = 'sv' WHERE id = 'user-staff1'`);
    await svc.trygg.pool.query(`UPDATE users SET phone = '+4798765432' WHERE id = 'user-operator'`);
    expect((await ask('070-123 45 67')).status).toBe(202);
    const msg = await sms('+46701234567');
    expect(msg.text).toMatch(/^Trygg: Logga in med den här länken/);
    const before = svc.logs.length;
    expect((await ask('+47 987 65 432')).status).toBe(202);
    expect(await logged('sign-in link request: no person with this number', before)).toBe(true);
    expect(await noSms('+4798765432')).toBe(true);
  });

  it('refuses bad input with a clear code', async () => {
    expect((await ask('call me maybe')).status).toBe(400);
    expect((await svc.api('POST', '/api/auth/link-request', null, { phone: '+4791234567', extra: 1 })).status).toBe(400);
  });

  it('is limited per number and per address, the same for known and unknown numbers', async () => {
    // Three per number within the hour: the fourth is refused, known or not.
    for (const phone of ['+47 455 55 555', '+47 455 55 555', '+47 455 55 555']) expect((await ask(phone)).status).toBe(202);
    const limited = await ask('+4745555555');
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('TRYGG_ERR_RATE_LIMITED');
    // This address has asked nine times in all now (earlier tests included): the next number is refused too.
    const { rows } = await svc.trygg.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM signin_link_requests`);
    for (let i = rows[0]?.n ?? 0; i < 9; i++) expect((await ask(`+47 466 66 6${String(i).padStart(2, '0')}`)).status).toBe(202);
    expect((await ask('+47 477 77 777')).status).toBe(429);
    // Recorded for the audit trail, without a resident.
    const audit = await svc.trygg.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'signin-link.create'`,
    );
    expect(audit.rows[0]?.n).toBeGreaterThanOrEqual(9);
  });

  it('says links cannot be sent when there is no SMS gateway', async () => {
    const methods = await bare.api<{ linkBySms: boolean }>('GET', '/api/auth/methods', null);
    expect(methods.body.linkBySms).toBe(false);
    expect((await svc.api<{ linkBySms: boolean }>('GET', '/api/auth/methods', null)).body.linkBySms).toBe(true);
    const res = await ask('912 34 567', bare);
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('TRYGG_ERR_SMS_UNAVAILABLE');
  });
});
