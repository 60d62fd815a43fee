import { writeFile } from 'node:fs/promises';
import { type CdrRebuildReport, replayCdrProjection } from '@ringbus/billing-adapter/replay';
import {
  type BillingSystem,
  CsvBillingFile,
  listCdrs,
  PortaBillingBilling,
  PortaBillingClient,
  reconcileCdrs,
  type ReconciliationRun,
} from '@ringbus/billing-adapter/reconcile';
import { RingbusError } from '@ringbus/errors';
import cliProgress from 'cli-progress';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import pg from 'pg';
import { type CliConfig, loadCliConfig, parseEnv, portaBillingConfigSchema } from './config.js';
import { findTracedCall } from './call-trace-lookup.js';
import { callTraceJson, callTraceOf, callTraceText, parseTraceTarget } from './call-trace.js';
import { CliCallNotFoundError, CliDatabaseUnavailableError, CliUsageError } from './errors.js';
import { parsePeriod, parseTimeOption } from './period.js';
import {
  cdrCsv,
  cdrJson,
  cdrText,
  reconciliationCsv,
  reconciliationJson,
  reconciliationText,
} from './report-format.js';

/** Exit codes, documented in docs/billing.md and `ringbus --help`. */
export const EXIT = {
  ok: 0,
  /** `reconcile` found at least one discrepancy or unreadable billing record. */
  differences: 1,
  /** `trace` found no call for the id given. */
  notFound: 1,
  /** Bad options or environment: nothing was done. */
  usage: 2,
  /** The work failed (database unreachable, rebuild failed, ...). */
  failed: 3,
} as const;

/** What the commands touch outside themselves; main.ts passes the process's, tests may pass their own. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Billing systems `--against` can name besides the built-in one; default: `portabilling`. */
  readonly billingSystems?: Readonly<Record<string, (env: CliIo['env']) => BillingSystem>>;
}

/** `--against portabilling`: PortaBilling's JSON API, configured by the PORTABILLING_* variables. */
export function portaBillingFromEnv(env: CliIo['env']): BillingSystem {
  const config = parseEnv(portaBillingConfigSchema, env);
  const client = new PortaBillingClient({
    baseUrl: config.PORTABILLING_URL,
    login: config.PORTABILLING_LOGIN,
    password: config.PORTABILLING_PASSWORD,
    timeoutMs: config.PORTABILLING_TIMEOUT_MS,
  });
  return new PortaBillingBilling(client, {
    iCustomer: config.PORTABILLING_CUSTOMER,
    accountIds: config.PORTABILLING_ACCOUNTS,
  });
}

const DEFAULT_BILLING_SYSTEMS: NonNullable<CliIo['billingSystems']> = { portabilling: portaBillingFromEnv };

const HELP_FOOTER = `
Environment:
  DATABASE_URL               the event store's database (required); its search_path schema holds "events",
                             e.g. postgres://ringbus@db:5432/ringbus?options=-c%20search_path%3Dringbus
  CDR_SCHEMA                 schema of table "cdr" (default: the connection's current schema)
  CDR_DEFAULT_COUNTRY_CODE   as billing-adapter's; must match it, or replayed E.164 columns differ
  PORTABILLING_URL, PORTABILLING_LOGIN, PORTABILLING_PASSWORD, PORTABILLING_CUSTOMER or
  PORTABILLING_ACCOUNTS, PORTABILLING_TIMEOUT_MS
                             for reconcile --against portabilling (docs/billing.md, "PortaBilling")

Times are RFC 3339 with an offset (2026-11-25T09:00:00Z) or UTC dates (2026-11-25); periods are [from, to).
Exit codes: 0 done (reconcile: nothing differs), 1 reconcile found differences or trace found no such
call, 2 bad options or environment, 3 the work failed.`;

function positiveInteger(value: string): number {
  if (!/^\d{1,9}$/.test(value) || Number(value) === 0)
    throw new InvalidArgumentError('must be a whole number above 0');
  return Number(value);
}

function nonNegativeInteger(value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError('must be a whole number of seconds');
  return Number(value);
}

function timeOption(flag: string) {
  return (value: string): string => {
    try {
      parseTimeOption(flag, value);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
    return value;
  };
}

/** A pool on DATABASE_URL for one command; always ended, whatever happens. */
async function withPool<T>(config: CliConfig, work: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({
    connectionString: config.DATABASE_URL,
    application_name: 'ringbus-cli',
    connectionTimeoutMillis: 5_000,
    max: 4,
  });
  pool.on('error', () => undefined);
  try {
    try {
      await pool.query('select 1');
    } catch (cause) {
      throw new CliDatabaseUnavailableError(withoutPassword(config.DATABASE_URL), { cause });
    }
    return await work(pool);
  } finally {
    await pool.end();
  }
}

function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}

async function emit(io: CliIo, text: string, out: string | undefined): Promise<void> {
  if (out === undefined) {
    await new Promise<void>((resolve, reject) =>
      io.stdout.write(text, (error) => (error ? reject(error) : resolve())),
    );
  } else await writeFile(out, text, 'utf8');
}

/**
 * The `ringbus` program. `run` resolves with the exit code; it never calls process.exit, so a test can
 * run it in-process and main.ts decides when the process ends.
 */
export function ringbusProgram(io: CliIo): { run(argv: readonly string[]): Promise<number> } {
  let exitCode: number = EXIT.ok;
  const config = () => loadCliConfig(io.env);
  const program = new Command('ringbus')
    .description(
      'Ringbus operator commands: call traces, CDRs, reconciliation with the billing system, projection rebuilds.',
    )
    .addHelpText('after', HELP_FOOTER)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride();

  const cdr = program.command('cdr').description('List or export the CDRs of table "cdr".');
  cdr
    .command('list')
    .description('Print CDRs of calls that started in a period, oldest first.')
    .option('--from <time>', 'first call start to include', timeOption('--from'))
    .option('--to <time>', 'call starts before this time', timeOption('--to'))
    .option('--limit <n>', 'at most this many rows', positiveInteger, 100)
    .action(async (options: { from?: string; to?: string; limit: number }) => {
      const cdrs = await withPool(config(), (pool) =>
        listCdrs({
          pool,
          cdrSchema: config().CDR_SCHEMA,
          fromMs: options.from === undefined ? undefined : parseTimeOption('--from', options.from),
          toMs: options.to === undefined ? undefined : parseTimeOption('--to', options.to),
          limit: options.limit,
        }),
      );
      await emit(io, cdrText(cdrs), undefined);
    });
  cdr
    .command('export')
    .description("Write every CDR of calls that started in a period as CSV (the table's columns) or JSON.")
    .addOption(
      new Option('--format <format>', 'output format').choices(['csv', 'json']).makeOptionMandatory(),
    )
    .requiredOption('--from <time>', 'first call start to include', timeOption('--from'))
    .requiredOption('--to <time>', 'call starts before this time', timeOption('--to'))
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (options: { format: 'csv' | 'json'; from: string; to: string; out?: string }) => {
      const period = parsePeriod(options.from, options.to);
      const cdrs = await withPool(config(), (pool) =>
        listCdrs({ pool, cdrSchema: config().CDR_SCHEMA, ...period }),
      );
      await emit(io, options.format === 'csv' ? cdrCsv(cdrs) : cdrJson(cdrs), options.out);
    });

  program
    .command('reconcile')
    .summary('Compare the CDRs of a period with their events and with the billing system.')
    .description(
      'Rebuild the CDRs of calls whose first event falls in [from, to) from their events, and compare them ' +
        'with table "cdr" and with the billing system\'s records (matched by callId or SIP Call-ID). Lists ' +
        'every call missing in billing or in Ringbus, billed twice, or billed with another duration or ' +
        'disposition, and every stored CDR that differs from its replay, each with the events that explain ' +
        'it. Exit code 1 when anything differs.',
    )
    .requiredOption('--from <time>', 'start of the period', timeOption('--from'))
    .requiredOption('--to <time>', 'end of the period (exclusive)', timeOption('--to'))
    .addOption(
      new Option(
        '--against <system>',
        'billing system to compare with ("ringbus": the CDRs themselves)',
      ).default('ringbus'),
    )
    .addOption(new Option('--against-csv <file>', 'billing records from a CSV file').conflicts('against'))
    .option('--tolerance <seconds>', 'allowed difference in billed seconds', nonNegativeInteger, 1)
    .addOption(new Option('--json', 'print the report as JSON').conflicts('csv'))
    .option('--csv', 'print one CSV row per discrepancy')
    .option('--out <file>', 'write the report to this file instead of stdout')
    .action(
      async (options: {
        from: string;
        to: string;
        against: string;
        againstCsv?: string;
        tolerance: number;
        json?: boolean;
        csv?: boolean;
        out?: string;
      }) => {
        const period = parsePeriod(options.from, options.to);
        const billing = billingSystemOf(io, options.against, options.againstCsv);
        const run: ReconciliationRun = await withPool(config(), (pool) =>
          reconcileCdrs({
            pool,
            cdrSchema: config().CDR_SCHEMA,
            defaultCountryCode: config().CDR_DEFAULT_COUNTRY_CODE,
            ...period,
            billing,
            durationToleranceSeconds: options.tolerance,
          }),
        );
        const text = options.json
          ? reconciliationJson(run)
          : options.csv
            ? reconciliationCsv(run)
            : reconciliationText(run);
        await emit(io, text, options.out);
        if (run.discrepancies.length > 0 || run.billingProblems.length > 0) exitCode = EXIT.differences;
      },
    );

  program
    .command('replay')
    .summary('Rebuild a projection from zero from the event store.')
    .description(
      'Rebuild a projection from zero by replaying the whole event store, then swap it in. The live ' +
        'table stays in use until the swap; on failure it is left as it was. A progress bar shows on a terminal.',
    )
    .addOption(
      new Option('--projection <name>', 'the projection to rebuild').choices(['cdr']).makeOptionMandatory(),
    )
    .action(async () => {
      const report = await withPool(config(), (pool) => replayWithProgress(io, pool, config()));
      await emit(
        io,
        `CDR projection rebuilt: ${report.calls} calls (${report.endedCalls} ended) from ${report.eventsRead} events ` +
          `in ${report.seconds.toFixed(1)} s; events left out: ${JSON.stringify(report.skipped)}\n`,
        undefined,
      );
    });

  program
    .command('trace')
    .summary("Print a call's timeline from its events.")
    .description(
      "Print a call's events in order: time (and ms since the first), type, the service that records it, " +
        'and the key fields (gateway, SIP code, end reason, hung up by); above them the SIP Call-IDs (ours ' +
        "and the carrier's) and the trace id to search in Jaeger/Tempo. <id> is a callId, our SIP Call-ID " +
        "(rb-<callId>[@domain]) or a carrier's SIP Call-ID of an incoming call. Exit code 1 when no call matches.",
    )
    .argument('<id>', 'callId or SIP Call-ID')
    .option('--json', 'print the trace as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const target = parseTraceTarget(id);
      const { callId, events } = await withPool(config(), (pool) => findTracedCall(pool, target));
      const trace = callTraceOf(callId, events);
      await emit(io, options.json ? callTraceJson(trace) : callTraceText(trace), undefined);
    });

  return {
    async run(argv: readonly string[]): Promise<number> {
      exitCode = EXIT.ok;
      try {
        await program.parseAsync([...argv], { from: 'user' });
        return exitCode;
      } catch (error) {
        if (error instanceof CommanderError) {
          // --help and --version end here too, with exit code 0.
          return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
        }
        if (error instanceof CliCallNotFoundError) {
          io.stderr.write(`ringbus: ${error.message}\n`);
          return EXIT.notFound;
        }
        const usage = error instanceof RingbusError && !error.retryable && error.code.startsWith('CLI_');
        io.stderr.write(`ringbus: ${(error as Error).message}\n`);
        return usage ? EXIT.usage : EXIT.failed;
      }
    },
  };
}

function billingSystemOf(
  io: CliIo,
  against: string,
  againstCsv: string | undefined,
): BillingSystem | undefined {
  if (againstCsv !== undefined) return new CsvBillingFile(againstCsv);
  if (against === 'ringbus') return undefined;
  const systems = io.billingSystems ?? DEFAULT_BILLING_SYSTEMS;
  const build = systems[against];
  if (build === undefined) {
    const known = ['ringbus', ...Object.keys(systems)];
    throw new CliUsageError(`--against ${against}: unknown billing system; known: ${known.join(', ')}`);
  }
  return build(io.env);
}

/** The rebuild with a progress bar on a terminal (events read of the table's estimated size). */
async function replayWithProgress(io: CliIo, pool: pg.Pool, config: CliConfig): Promise<CdrRebuildReport> {
  const { rows } = await pool.query<{ estimate: number }>(
    `select greatest(coalesce(max(reltuples), 0), 0)::float8 as estimate from pg_class
     where oid = to_regclass('events')`,
  );
  const estimate = Math.max(1, Math.round(rows[0]?.estimate ?? 0));
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr,
      format: 'replaying {bar} {percentage}% | {value}/{total} events | {calls} calls | ETA {eta_formatted}',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(estimate, 0, { calls: 0 });
  try {
    return await replayCdrProjection({
      pool,
      cdrSchema: config.CDR_SCHEMA,
      defaultCountryCode: config.CDR_DEFAULT_COUNTRY_CODE,
      onProgress: ({ events, calls }) => {
        // reltuples is an estimate: grow the total rather than pass 100 %.
        if (events > bar.getTotal()) bar.setTotal(events);
        bar.update(events, { calls });
      },
    });
  } finally {
    bar.stop();
  }
}
