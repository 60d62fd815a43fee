import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPostgresEventStore, type EventStore, migratePostgresEventStore } from '@ringbus/event-store';
import { PortaBillingContractDouble } from '@ringbus/billing-adapter/portabilling-contract-double';
import { createTestSchema, startNodeProcess, type TestSchema, uniqueTestName } from '@ringbus/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CraftedCall, placeOutgoingCall } from './support/crafted-calls.js';

// The compiled CLI, as an operator runs it (`npx tsc -b` first).
const MAIN = fileURLToPath(new URL('../dist/src/main.js', import.meta.url));
const FROM = '2026-11-25T09:00:00Z';
const TO = '2026-11-25T10:00:00Z';
const T0 = Date.UTC(2026, 10, 25, 9, 10);
const iso = (ms: number) => new Date(ms).toISOString();

let schema: TestSchema;
let store: EventStore;
let databaseUrl: string;
let folder: string;
const calls: Record<string, CraftedCall> = {};

async function ringbus(args: readonly string[], env: Record<string, string | undefined> = {}) {
  const child = await startNodeProcess({
    args: [MAIN, ...args],
    env: { DATABASE_URL: databaseUrl, CDR_SCHEMA: undefined, CDR_DEFAULT_COUNTRY_CODE: undefined, ...env },
    name: `ringbus ${args[0] ?? ''}`,
  });
  const exit = await child.waitForExit(60_000);
  return { code: exit.code, output: child.output() };
}

beforeAll(async () => {
  schema = await createTestSchema('cli');
  await migratePostgresEventStore(schema.pool);
  store = createPostgresEventStore({ pool: schema.pool });
  const url = new URL(schema.databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema.schema}`);
  databaseUrl = url.toString();
  folder = join(tmpdir(), uniqueTestName('ringbus-cli'));
  await mkdir(folder, { recursive: true });
  // One call per discrepancy kind, plus a call that agrees and one before the period.
  calls['agrees'] = await placeOutgoingCall(store, T0, 60_000);
  calls['missingInBilling'] = await placeOutgoingCall(store, T0 + 60_000, 30_000);
  calls['duplicate'] = await placeOutgoingCall(store, T0 + 120_000, 20_000);
  calls['duration'] = await placeOutgoingCall(store, T0 + 180_000, 40_000);
  calls['busy'] = await placeOutgoingCall(store, T0 + 240_000, null);
  calls['tampered'] = await placeOutgoingCall(store, T0 + 300_000, 10_000);
  calls['before'] = await placeOutgoingCall(store, T0 - 3 * 3_600_000, 10_000);
}, 60_000);

afterAll(async () => {
  await rm(folder, { recursive: true, force: true }).catch(() => undefined);
  await store?.close();
  await schema?.drop();
});

describe('ringbus CLI (compiled, against PostgreSQL)', () => {
  it('replay --projection cdr rebuilds the table from the events', async () => {
    const { code, output } = await ringbus(['replay', '--projection', 'cdr']);
    expect(code, output).toBe(0);
    expect(output).toContain('CDR projection rebuilt: 7 calls (7 ended)');
    const { rows } = await schema.pool.query<{ n: string }>('select count(*) as n from cdr');
    expect(rows[0]?.n).toBe('7');
  });

  it('reconcile --against-csv finds each kind of discrepancy exactly once, with its events; exit code 1', async () => {
    await schema.pool.query('update cdr set talk_ms = talk_ms + 1 where call_id = $1', [
      calls['tampered']!.callId,
    ]);
    const line = (call: CraftedCall, seconds: number, disposition: string, byCallId = false) =>
      `${byCallId ? call.callId : ''},${byCallId ? '' : call.sipCallId},${iso(call.startMs + 5_000)},${seconds},${disposition}`;
    const csv = [
      'call_id,sip_call_id,start_time,duration_seconds,disposition',
      line(calls['agrees']!, 60, 'answered'),
      line(calls['duplicate']!, 20, 'answered', true),
      line(calls['duplicate']!, 20, 'answered'),
      line(calls['duration']!, 52, 'answered'),
      line(calls['busy']!, 0, 'answered'),
      line(calls['tampered']!, 10, 'answered'),
      `,rb-unknown@carrier.example,${iso(T0 + 400_000)},33,answered`,
      `,rb-broken@carrier.example,yesterday,12,answered`,
    ].join('\n');
    await writeFile(join(folder, 'billing.csv'), csv, 'utf8');

    const json = await ringbus([
      'reconcile',
      '--from',
      FROM,
      '--to',
      TO,
      '--against-csv',
      join(folder, 'billing.csv'),
      '--json',
    ]);
    expect(json.code, json.output).toBe(1);
    const report = JSON.parse(json.output) as {
      callsReplayed: number;
      discrepancies: { kind: string; callId: string; sipCallId: string; events: { type: string }[] }[];
      billingProblems: { where: string; message: string }[];
    };
    expect(report.callsReplayed).toBe(6);
    expect(report.discrepancies.map((each) => [each.kind, each.callId || each.sipCallId])).toEqual([
      ['missing_in_billing', calls['missingInBilling']!.callId],
      ['missing_in_ringbus', 'rb-unknown@carrier.example'],
      ['duplicate_in_billing', calls['duplicate']!.callId],
      ['duration_mismatch', calls['duration']!.callId],
      ['disposition_mismatch', calls['busy']!.callId],
      ['cdr_differs_from_replay', calls['tampered']!.callId],
    ]);
    expect(report.discrepancies[0]!.events.map((event) => event.type)).toEqual([
      'CallRequested',
      'SipInviteSent',
      'Answered',
      'CallEnded',
    ]);
    expect(report.billingProblems).toEqual([
      {
        where: 'billing.csv line 9, column start_time',
        message: expect.stringContaining('"yesterday" is not an RFC 3339 time'),
      },
    ]);

    const text = await ringbus([
      'reconcile',
      '--from',
      FROM,
      '--to',
      TO,
      '--against-csv',
      join(folder, 'billing.csv'),
    ]);
    expect(text.code).toBe(1);
    expect(text.output).toContain('6 discrepancies:');
    expect(text.output).toMatch(
      new RegExp(`duration mismatch\\s+${calls['duration']!.callId}\\s+\\S+\\s+billing 52 s, Ringbus 40 s`),
    );
    expect(text.output).toContain('event: v4 ');
    expect(text.output).toContain('billing record unreadable: billing.csv line 9, column start_time');

    const csvReport = await ringbus([
      'reconcile',
      '--from',
      FROM,
      '--to',
      TO,
      '--against-csv',
      join(folder, 'billing.csv'),
      '--csv',
    ]);
    const rows = csvReport.output.trimEnd().split('\n');
    expect(rows[0]).toBe('kind,call_id,sip_call_id,detail,billing_records,events');
    expect(rows).toHaveLength(7);
  });

  it('after a replay, reconcile against the built-in billing finds nothing: exit code 0', async () => {
    expect((await ringbus(['replay', '--projection', 'cdr'])).code).toBe(0);
    const { code, output } = await ringbus(['reconcile', '--from', FROM, '--to', TO]);
    expect(code, output).toBe(0);
    expect(output).toContain('against ringbus');
    expect(output).toContain('No discrepancies.');
  });

  it('reconcile --against portabilling reads xDRs through the adapter (contract double): exit code 1', async () => {
    const connect = (call: CraftedCall) =>
      iso(call.startMs + 5_000)
        .slice(0, 19)
        .replace('T', ' ');
    const xdr = (i: number, call: CraftedCall, used: number, cause = '10') => ({
      i_xdr: i,
      i_account: 11,
      call_id: call.sipCallId,
      connect_time: connect(call),
      used_quantity: used,
      charged_quantity: Math.ceil(used / 60) * 60,
      disconnect_cause: cause,
    });
    const double = await PortaBillingContractDouble.start({
      login: 'ringbus',
      password: 'api-secret',
      accounts: [{ i_account: 11, i_customer: 3, id: 'user-7', h323_password: 'sip-secret' }],
      xdrs: [
        xdr(1, calls['agrees']!, 60),
        xdr(2, calls['duplicate']!, 20),
        xdr(3, calls['duplicate']!, 20),
        xdr(4, calls['duration']!, 52),
        xdr(5, calls['busy']!, 0, '11'),
        xdr(6, calls['tampered']!, 10),
      ],
    });
    try {
      const { code, output } = await ringbus(
        ['reconcile', '--from', FROM, '--to', TO, '--against', 'portabilling', '--json'],
        {
          PORTABILLING_URL: double.url,
          PORTABILLING_LOGIN: 'ringbus',
          PORTABILLING_PASSWORD: 'api-secret',
          PORTABILLING_ACCOUNTS: 'user-7',
        },
      );
      expect(code, output).toBe(1);
      const report = JSON.parse(output) as {
        billingSystem: string;
        matched: number;
        discrepancies: { kind: string; callId: string }[];
      };
      expect(report.billingSystem).toBe('portabilling');
      expect(report.discrepancies.map((each) => [each.kind, each.callId])).toEqual([
        ['missing_in_billing', calls['missingInBilling']!.callId],
        ['duplicate_in_billing', calls['duplicate']!.callId],
        ['duration_mismatch', calls['duration']!.callId],
      ]);
      expect(report.matched).toBe(4);
      expect(double.calls.map((call) => call.path)).toEqual([
        '/rest/Session/login',
        '/rest/Account/get_account_info',
        '/rest/Account/get_xdr_list',
      ]);
    } finally {
      await double.stop();
    }
  });

  it('cdr list and cdr export print and write the CDRs of a period', async () => {
    const list = await ringbus(['cdr', 'list', '--from', FROM, '--to', TO, '--limit', '2']);
    expect(list.code, list.output).toBe(0);
    const lines = list.output.trimEnd().split('\n');
    expect(lines).toHaveLength(4); // header, rule, two rows
    expect(lines[2]).toContain(calls['agrees']!.callId);

    const out = join(folder, 'cdrs.csv');
    const exported = await ringbus([
      'cdr',
      'export',
      '--format',
      'csv',
      '--from',
      FROM,
      '--to',
      TO,
      '--out',
      out,
    ]);
    expect(exported.code, exported.output).toBe(0);
    const rows = (await readFile(out, 'utf8')).trimEnd().split('\n');
    expect(rows[0]?.startsWith('call_id,tenant,direction,')).toBe(true);
    expect(rows).toHaveLength(7);

    const json = await ringbus(['cdr', 'export', '--format', 'json', '--from', FROM, '--to', TO]);
    expect((JSON.parse(json.output) as { callId: string }[]).map((cdr) => cdr.callId)).not.toContain(
      calls['before']!.callId,
    );
  });

  it('bad options and environment exit 2 naming what to fix', async () => {
    const noUrl = await ringbus(['cdr', 'list'], { DATABASE_URL: undefined });
    expect(noUrl.code).toBe(2);
    expect(noUrl.output).toContain('DATABASE_URL is required');
    const badTime = await ringbus(['reconcile', '--from', '2026-11-25T09:00:00', '--to', TO]);
    expect(badTime.code).toBe(2);
    expect(badTime.output).toContain('--from "2026-11-25T09:00:00" is not a time');
    const noPorta = await ringbus(['reconcile', '--from', FROM, '--to', TO, '--against', 'portabilling']);
    expect(noPorta.code).toBe(2);
    expect(noPorta.output).toContain('PORTABILLING_URL is required');
    const unknown = await ringbus(['reconcile', '--from', FROM, '--to', TO, '--against', 'sap']);
    expect(unknown.code).toBe(2);
    expect(unknown.output).toContain('--against sap: unknown billing system; known: ringbus, portabilling');
  });

  it('an unreachable database exits 3 naming DATABASE_URL, without its password', async () => {
    const { code, output } = await ringbus(['cdr', 'list'], {
      DATABASE_URL: 'postgres://ringbus:pw-secret@127.0.0.1:9/x',
    });
    expect(code, output).toBe(3);
    expect(output).toContain('PostgreSQL at postgres://ringbus:***@127.0.0.1:9/x is not reachable');
    expect(output).toContain('fix DATABASE_URL');
    expect(output).not.toContain('pw-secret');
  });

  it('an unreachable billing system exits 3, saying so', async () => {
    const { code, output } = await ringbus(
      ['reconcile', '--from', FROM, '--to', TO, '--against', 'portabilling'],
      {
        PORTABILLING_URL: 'http://127.0.0.1:9',
        PORTABILLING_LOGIN: 'ringbus',
        PORTABILLING_PASSWORD: 'secret-value',
        PORTABILLING_CUSTOMER: '3',
        PORTABILLING_TIMEOUT_MS: '500',
      },
    );
    expect(code, output).toBe(3);
    expect(output).toContain('PortaBilling did not answer usefully');
    expect(output).not.toContain('secret-value');
  });
});
