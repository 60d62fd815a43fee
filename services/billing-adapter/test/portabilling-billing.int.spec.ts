import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PortaBillingBilling } from '../src/adapters/billing/portabilling/portabilling-billing.js';
import { PortaBillingClient } from '../src/adapters/billing/portabilling/portabilling-client.js';
import { BillingSystemRefusedError, BillingSystemUnavailableError } from '../src/app/errors.js';
import { type DoubleXdr, PortaBillingContractDouble } from './support/portabilling-contract-double.js';

const FROM = Date.UTC(2026, 10, 25, 9);
const TO = Date.UTC(2026, 10, 25, 10);

const xdr = (i: number, iAccount: number, minute: number, used: number, cause = '10'): DoubleXdr => ({
  i_xdr: i,
  i_account: iAccount,
  call_id: `rb-call-${i}@ringbus.example`,
  connect_time: `2026-11-25 ${minute < 60 ? '09' : '10'}:${String(minute % 60).padStart(2, '0')}:00`,
  used_quantity: used,
  charged_quantity: Math.ceil(used / 60) * 60,
  disconnect_cause: cause,
});

describe('PortaBilling adapter against its contract double', () => {
  let double: PortaBillingContractDouble;

  beforeEach(async () => {
    double = await PortaBillingContractDouble.start({
      login: 'ringbus',
      password: 'api-secret',
      accounts: [
        { i_account: 11, i_customer: 3, id: 'alice', h323_password: 'alice-sip' },
        { i_account: 12, i_customer: 3, id: 'bob', h323_password: 'bob-sip' },
      ],
      xdrs: [
        ...Array.from({ length: 7 }, (_, n) => xdr(n + 1, 11, n, 30 + n)),
        xdr(8, 12, 20, 0, '11'),
        xdr(9, 11, 61, 10), // after the period
      ],
    });
  });
  afterEach(async () => {
    await double.stop();
  });

  const client = (options: { timeoutMs?: number; attempts?: number; password?: string } = {}) =>
    new PortaBillingClient({
      baseUrl: double.url,
      login: 'ringbus',
      password: options.password ?? 'api-secret',
      timeoutMs: options.timeoutMs ?? 2_000,
      attempts: options.attempts ?? 3,
      backoffMs: 10,
    });

  it('logs in once, looks accounts up with their SIP credentials, and pages through the xDRs of the period', async () => {
    const billing = new PortaBillingBilling(client(), { accountIds: ['alice', 'bob'] }, 3);
    expect(await billing.account('alice')).toMatchObject({
      iAccount: 11,
      sipUser: 'alice',
      sipPassword: 'alice-sip',
    });
    const { records, problems } = await billing.recordsBetween(FROM, TO);
    expect(problems).toEqual([]);
    expect(records.map((record) => record.source)).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((i) => `portabilling i_xdr ${i}`),
    );
    expect(records[7]).toMatchObject({
      sipCallId: 'rb-call-8@ringbus.example',
      durationSeconds: 0,
      disposition: 'busy',
    });
    const logins = double.calls.filter((call) => call.path === '/rest/Session/login');
    expect(logins).toHaveLength(1);
    const pages = double.calls.filter((call) => call.path === '/rest/Account/get_xdr_list');
    // alice: 7 xDRs in pages of 3 (3, 3, 1); bob: 1 (one short page).
    expect(pages.map((call) => [call.params['i_account'], call.params['offset']])).toEqual([
      [11, 0],
      [11, 3],
      [11, 6],
      [12, 0],
    ]);
    expect(pages.every((call) => call.sessionId === 'session-1')).toBe(true);
  });

  it("reads a customer's xDRs with Customer/get_xdr_list", async () => {
    const { records } = await new PortaBillingBilling(client(), { iCustomer: 3 }).recordsBetween(FROM, TO);
    expect(records).toHaveLength(8);
    expect(double.calls.some((call) => call.path === '/rest/Customer/get_xdr_list')).toBe(true);
  });

  it('logs in again when the session expired, and repeats the call', async () => {
    const billing = new PortaBillingBilling(client(), { accountIds: ['alice'] });
    await billing.account('alice');
    double.expireSessions();
    expect((await billing.recordsBetween(FROM, TO)).records).toHaveLength(7);
    expect(double.calls.filter((call) => call.path === '/rest/Session/login')).toHaveLength(2);
  });

  it('retries a 503 and a slow answer, and gives up after its attempts with a retryable error', async () => {
    double.unavailableFor = 2;
    expect(
      (await new PortaBillingBilling(client(), { iCustomer: 3 }).recordsBetween(FROM, TO)).records,
    ).toHaveLength(8);

    double.slowFor = 1;
    double.slowMs = 500;
    expect(await new PortaBillingBilling(client({ timeoutMs: 200 }), {}).account('bob')).toMatchObject({
      iAccount: 12,
    });

    double.unavailableFor = 5;
    const failure = new PortaBillingBilling(client({ attempts: 2 }), {}).account('bob');
    await expect(failure).rejects.toBeInstanceOf(BillingSystemUnavailableError);
    await expect(failure).rejects.toThrow('Session/login: HTTP 503 (after 2 attempts)');
  });

  it('wrong credentials are a refusal, not retried, and the password is not in the message', async () => {
    const failure = new PortaBillingBilling(client({ password: 'wrong-secret' }), {}).account('bob');
    await expect(failure).rejects.toBeInstanceOf(BillingSystemRefusedError);
    await expect(failure).rejects.toThrow(/Server\.Session\.cannot_login/);
    await expect(failure).rejects.not.toThrow(/wrong-secret/);
    expect(double.calls.filter((call) => call.path === '/rest/Session/login')).toHaveLength(1);
  });
});
