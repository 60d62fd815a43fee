import { describe, expect, it } from 'vitest';
import {
  accountOfInfo,
  billingRecordOfXdr,
  isSessionFault,
  msOfPortaBillingTime,
  portaBillingRequest,
  readPortaBillingReply,
  readXdrPage,
  xdrPageParams,
} from '../src/adapters/billing/portabilling/portabilling-protocol.js';

const FROM = Date.UTC(2026, 10, 25, 9);
const TO = Date.UTC(2026, 10, 25, 10);

describe('PortaBilling protocol (pure)', () => {
  it('builds method calls: the path, auth_info with the session, params; the login without auth_info', () => {
    expect(portaBillingRequest('Session/login', { login: 'ringbus', password: 'pw' }, null)).toEqual({
      path: '/rest/Session/login',
      body: '{"params":{"login":"ringbus","password":"pw"}}',
    });
    const request = portaBillingRequest('Account/get_account_info', { id: 'alice' }, 's1');
    expect(request.path).toBe('/rest/Account/get_account_info');
    expect(JSON.parse(request.body)).toEqual({ auth_info: { session_id: 's1' }, params: { id: 'alice' } });
  });

  it('asks for a page of xDRs of an account or a customer, unsuccessful attempts included, times in UTC', () => {
    expect(xdrPageParams({ kind: 'account', iAccount: 7 }, FROM, TO, 500, 500)).toEqual({
      method: 'Account/get_xdr_list',
      params: {
        i_account: 7,
        from_date: '2026-11-25 09:00:00',
        to_date: '2026-11-25 10:00:00',
        show_unsuccessful: 1,
        offset: 500,
        limit: 500,
      },
    });
    expect(xdrPageParams({ kind: 'customer', iCustomer: 3 }, FROM, TO, 0, 10).method).toBe(
      'Customer/get_xdr_list',
    );
  });

  it('reads results, faults and unreadable answers', () => {
    expect(readPortaBillingReply(200, '{"session_id":"s"}')).toEqual({
      kind: 'result',
      result: { session_id: 's' },
    });
    expect(
      readPortaBillingReply(
        500,
        '{"faultcode":"Server.Session.check_auth.auth_failed","faultstring":"expired"}',
      ),
    ).toEqual({
      kind: 'fault',
      faultcode: 'Server.Session.check_auth.auth_failed',
      faultstring: 'expired',
    });
    expect(readPortaBillingReply(500, '<html>')).toMatchObject({ kind: 'unreadable' });
    expect(readPortaBillingReply(404, '{}')).toMatchObject({
      kind: 'unreadable',
      message: 'HTTP 404 without a fault',
    });
    expect(isSessionFault('Server.Session.check_auth.auth_failed')).toBe(true);
    expect(isSessionFault('Server.Session.cannot_login')).toBe(false);
    expect(isSessionFault('Server.Session.login.wrong_password')).toBe(false);
    expect(isSessionFault('Client.Account.not_found')).toBe(false);
  });

  it('reads an account with its SIP credentials', () => {
    expect(
      accountOfInfo({
        account_info: { i_account: 12, i_customer: 3, id: 'alice', h323_password: 'sip-secret' },
      }),
    ).toEqual({ iAccount: 12, iCustomer: 3, id: 'alice', sipUser: 'alice', sipPassword: 'sip-secret' });
    expect(accountOfInfo({})).toBeUndefined();
  });

  it('turns xDRs into billing records: SIP Call-ID, connect time, used seconds, disposition from cause', () => {
    const xdr = {
      i_xdr: 81,
      call_id: 'rb-x@ringbus.example',
      h323_conf_id: 'conf-1',
      connect_time: '2026-11-25 09:30:05',
      used_quantity: 61,
      charged_quantity: 120,
      disconnect_cause: '10',
    };
    expect(billingRecordOfXdr(xdr)).toEqual({
      source: 'portabilling i_xdr 81',
      callId: '',
      sipCallId: 'rb-x@ringbus.example',
      startedAtMs: Date.UTC(2026, 10, 25, 9, 30, 5),
      durationSeconds: 61,
      disposition: 'answered',
    });
    const attempt = (cause: string) =>
      billingRecordOfXdr({ ...xdr, used_quantity: 0, disconnect_cause: cause });
    expect([attempt('11'), attempt('13'), attempt('15'), attempt('10'), attempt('x')]).toMatchObject([
      { disposition: 'busy' },
      { disposition: 'no_answer' },
      { disposition: 'rejected' },
      { disposition: null },
      { disposition: null },
    ]);
    expect(billingRecordOfXdr({ ...xdr, call_id: undefined })).toMatchObject({ sipCallId: 'conf-1' });
    expect(billingRecordOfXdr({ ...xdr, connect_time: '25.11.2026' })).toBe(
      'connect_time "25.11.2026" is not a time',
    );
  });

  it('a page with an unreadable xDR keeps the others and names the bad one', () => {
    const page = readXdrPage(
      {
        xdr_list: [
          { i_xdr: 1, call_id: 'a', connect_time: '2026-11-25 09:00:00', used_quantity: 3 },
          { i_xdr: 2 },
        ],
      },
      'offset 0',
    );
    expect(page?.size).toBe(2);
    expect(page?.records.map((record) => record.sipCallId)).toEqual(['a']);
    expect(page?.problems).toEqual([
      { where: 'portabilling offset 0 xDR 2', message: 'neither call_id nor h323_conf_id' },
    ]);
    expect(readXdrPage({}, 'x')).toBeUndefined();
    expect(msOfPortaBillingTime('2026-11-25 09:00:00')).toBe(Date.UTC(2026, 10, 25, 9));
  });
});
