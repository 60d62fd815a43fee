/**
 * `npm run bench -- call-setup [--quick]`: how long an outgoing call takes from the softphone's
 * `outgoing_call` to the carrier receiving the INVITE through Ringbus (signaling -> event store -> relay ->
 * JetStream -> media-orchestration -> Janus), next to the same INVITE sent straight to the same Janus
 * through janode, measured on sipp's clock in one run; then the highest call rate Ringbus sustains.
 *
 * Runs inside the loopback namespace (re-executes itself through scripts/in-netns.sh when started outside)
 * and runs the services' compiled code: build first with `npx tsc -b`.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { busyNumber, startPlatform, type Platform } from '@ringbus/platform-testkit';
import { insideLoopbackNamespace } from '@ringbus/telephony-testkit';
import {
  distribution,
  nowMs,
  runAtRate,
  setupMs,
  type CallPath,
  type CallSample,
  type Distribution,
} from './call-samples.js';
import { CommitProbe } from './commit-probe.js';
import { DirectJanusCaller } from './direct-caller.js';
import { hopBreakdown, HOP_NAMES, type HopBreakdown } from './hop-breakdown.js';
import { inviteTimesByNumber } from './invite-trace.js';
import { offerFactory } from './offers.js';
import { RingbusCaller } from './ringbus-caller.js';
import { printTable, writeResultsFile } from '../shared/report.js';

const REPOSITORY_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');

/** The rate at which both paths are compared (the goal: ratio <= 1.3 and < 30 ms added p99 here). */
const COMPARE_RATE = 20;
/** Calls per path at COMPARE_RATE, in two halves: direct, Ringbus, Ringbus, direct. */
const COMPARE_CALLS = quick ? 80 : 300;
const RAMP_RATES = [10, 20, 30, 50, 70] as const;
const RAMP_STEP_SECONDS = quick ? 2 : 5;
/**
 * A ramp step is sustained when no call failed and Ringbus kept up: the set-up p99 stays under this, and the
 * median of the step's last fifth of calls is at most DRIFT_LIMIT_MS above that of its first fifth (a
 * backlog that grows while the step runs means the rate cannot be held for longer).
 */
const SUSTAINED_P99_LIMIT_MS = 500;
const DRIFT_LIMIT_MS = 50;
const WARM_UP_CALLS = 20;
const SOFTPHONES = 12;
/** Warm Janus SIP handles on both paths (media-orchestration's JANUS_WARM_LINES; docs: peak rate x 1.5 s). */
const WARM_HANDLES = 64;
const QUIET_BETWEEN_PHASES_MS = 3_000;
const INVITE_WAIT_MS = 5_000;

interface PhaseResult {
  readonly path: CallPath;
  readonly rate: number;
  readonly calls: number;
  readonly failed: number;
  readonly failures: readonly string[];
  readonly sendSeconds: number;
  readonly setup: Distribution | undefined;
  /** Median set-up of the last fifth of the calls minus that of the first fifth, in ms. */
  readonly driftMs: number | undefined;
  /** A one-row PostgreSQL commit on the shared cluster, probed every 50 ms during the phase. */
  readonly commitMs: Distribution | undefined;
}

interface Callers {
  readonly platform: Platform;
  readonly ringbus: RingbusCaller;
  readonly direct: DirectJanusCaller;
  readonly offer: () => string;
  readonly probe: CommitProbe;
}

let numberSequence = 0;
function nextNumber(path: CallPath): string {
  numberSequence += 1;
  return busyNumber(`${path === 'ringbus' ? 1 : 2}${String(numberSequence).padStart(7, '0')}`);
}

async function main(): Promise<void> {
  if (!insideLoopbackNamespace()) {
    const script = fileURLToPath(import.meta.url);
    const run = spawnSync(
      'bash',
      [
        join(REPOSITORY_ROOT, 'scripts', 'in-netns.sh'),
        process.execPath,
        ...process.execArgv,
        script,
        ...args,
      ],
      { stdio: 'inherit' },
    );
    process.exit(run.status ?? 1);
  }

  console.log(
    `call-setup bench${quick ? ' (quick)' : ''}: ${cpus().length} CPUs, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; ` +
      'starting nats-server, relay, signaling, media-orchestration (dist/), Janus and sipp in the namespace',
  );
  const platform = await startPlatform({
    logLevel: 'warn',
    // Port ranges for ~70 calls/s: each call holds a WebRTC and a SIP RTP/RTCP pair until Janus closes its
    // PeerConnection (up to ~2 s after the 486); the default 100 ports each run out at about 50 calls/s.
    janus: {
      debugLevel: 3,
      webRtcPorts: { min: 20_000, max: 23_999 },
      sipRtpPorts: { min: 24_000, max: 27_999 },
    },
    // debug: media-orchestration's `INVITE sent` line (its receive time and placing time) for the hop breakdown.
    mediaOrchestrationEnv: { LOG_LEVEL: 'debug', JANUS_WARM_LINES: String(WARM_HANDLES) },
  });
  const nats = await connect({ servers: platform.nats.url });
  let ringbus: RingbusCaller | undefined;
  let direct: DirectJanusCaller | undefined;
  try {
    ringbus = await RingbusCaller.connect(platform, SOFTPHONES);
    direct = await DirectJanusCaller.connect(platform.janus.wsUrl, platform.carrier.sipPort, WARM_HANDLES);
    const callers: Callers = {
      platform,
      ringbus,
      direct,
      offer: await offerFactory(),
      probe: await CommitProbe.create(platform.database.pool),
    };

    await runPhase(callers, 'direct', 10, WARM_UP_CALLS);
    await runPhase(callers, 'ringbus', 10, WARM_UP_CALLS);
    await quiet();

    const compareStartedAt = Date.now();
    const half = COMPARE_CALLS / 2;
    const directFirst = await runPhase(callers, 'direct', COMPARE_RATE, half);
    await quiet();
    const ringbusFirst = await runPhase(callers, 'ringbus', COMPARE_RATE, half);
    await quiet();
    const ringbusSecond = await runPhase(callers, 'ringbus', COMPARE_RATE, half);
    await quiet();
    const directSecond = await runPhase(callers, 'direct', COMPARE_RATE, half);
    const directCompare = combine(directFirst, directSecond);
    const ringbusCompare = combine(ringbusFirst, ringbusSecond);
    const compareHops = await hopBreakdown(
      platform,
      nats,
      [...ringbusFirst.samples, ...ringbusSecond.samples],
      compareStartedAt,
      { contiguous: false },
    );
    await quiet();

    const ramp: PhaseResult[] = [];
    const rampDirect: PhaseResult[] = [];
    const rampHops: (HopBreakdown & { rate: number })[] = [];
    for (const rate of RAMP_RATES) {
      const stepStartedAt = Date.now();
      const step = await runPhase(callers, 'ringbus', rate, rate * RAMP_STEP_SECONDS);
      ramp.push(step.result);
      rampHops.push({ rate, ...(await hopBreakdown(platform, nats, step.samples, stepStartedAt)) });
      await quiet();
      if (!sustained(step.result)) {
        // Is it Ringbus or Janus/sipp that gives up at this rate? The direct path at the same rate says.
        rampDirect.push((await runPhase(callers, 'direct', rate, rate * RAMP_STEP_SECONDS)).result);
        break;
      }
    }
    const maxCps = Math.max(0, ...ramp.filter(sustained).map((step) => step.rate));

    const rows = [directCompare, ringbusCompare, ...ramp, ...rampDirect];
    printPhases(rows);
    const ratio = ratioOf(ringbusCompare.setup, directCompare.setup);
    const added = addedOf(ringbusCompare.setup, directCompare.setup);
    console.log(
      `\nat ${COMPARE_RATE} calls/s: p99 ratio ${ratio?.toFixed(2) ?? '-'} (goal <= 1.3), added p99 ${added?.toFixed(1) ?? '-'} ms ` +
        `(goal < 30); max sustained ${maxCps} calls/s (goal >= 50; steps ${RAMP_RATES.join(', ')})`,
    );
    console.log(
      `\nwhere Ringbus's set-up time goes at ${COMPARE_RATE} calls/s (${compareHops.calls} calls):`,
    );
    printHops(compareHops);
    for (const stepHops of rampHops.slice(-2)) {
      console.log(`\n... at the ramp step of ${stepHops.rate} calls/s (${stepHops.calls} calls):`);
      printHops(stepHops);
    }

    const warnings = serviceWarnings(platform);
    for (const [service, found] of Object.entries(warnings)) {
      if (found.count > 0)
        console.log(`\n${service} logged ${found.count} warnings/errors, e.g. ${found.examples.join(' | ')}`);
    }

    const resultsFile = await writeResultsFile('call-setup', {
      bench: 'call-setup',
      measured_at: new Date().toISOString(),
      quick,
      cpus: cpus().length,
      load_average_after: loadavg(),
      what: 'outgoing_call sent (or first Janus request, direct) -> INVITE in sipp -trace_msg; carrier answers 486',
      compare_rate_cps: COMPARE_RATE,
      ringbus_p50_ms: ringbusCompare.setup?.p50 ?? null,
      ringbus_p95_ms: ringbusCompare.setup?.p95 ?? null,
      ringbus_p99_ms: ringbusCompare.setup?.p99 ?? null,
      direct_p50_ms: directCompare.setup?.p50 ?? null,
      direct_p95_ms: directCompare.setup?.p95 ?? null,
      direct_p99_ms: directCompare.setup?.p99 ?? null,
      ratio_p99: ratio ?? null,
      added_p99_ms: added ?? null,
      max_cps: maxCps,
      sustained_means: `no failed call, set-up p99 under ${SUSTAINED_P99_LIMIT_MS} ms, median drift over the step under ${DRIFT_LIMIT_MS} ms`,
      goals: { ratio_p99_max: 1.3, added_p99_ms_max: 30, max_cps_min: 50 },
      settings: {
        warm_handles: WARM_HANDLES,
        softphones: SOFTPHONES,
        ramp_step_seconds: RAMP_STEP_SECONDS,
      },
      compare: { ringbus: ringbusCompare, direct: directCompare },
      ramp,
      ramp_direct_at_first_unsustained_rate: rampDirect,
      hops_at_compare_rate: compareHops,
      hops_per_ramp_step: rampHops,
      service_warnings: warnings,
    });
    console.log(`\nresults: ${resultsFile}`);
  } finally {
    await ringbus?.close();
    await direct?.close();
    await nats.close().catch(() => undefined);
    await platform.stop();
  }
}

async function runPhase(
  callers: Callers,
  path: CallPath,
  rate: number,
  count: number,
): Promise<{ result: PhaseResult; samples: CallSample[] }> {
  const samples: CallSample[] = [];
  const caller = path === 'ringbus' ? callers.ringbus : callers.direct;
  callers.probe.start();
  const { seconds } = await runAtRate(rate, count, async () => {
    const number = nextNumber(path);
    const offer = callers.offer();
    try {
      samples.push(await caller.call(number, offer));
    } catch (error) {
      samples.push({ path, number, sentAtMs: nowMs(), failure: (error as Error).message });
    }
  });
  const commitMs = await callers.probe.stop();
  await resolveInvites(callers.platform, samples);
  const failures = samples.flatMap((sample) => (sample.failure === undefined ? [] : [sample.failure]));
  const setups = samples.map(setupMs).filter((value): value is number => value !== undefined);
  return {
    samples,
    result: {
      path,
      rate,
      calls: samples.length,
      failed: failures.length,
      failures: [...new Set(failures)].slice(0, 5),
      sendSeconds: seconds,
      setup: distribution(setups),
      driftMs: driftOf(samples),
      commitMs,
    },
  };
}

/** Finds each call's INVITE in sipp's trace; a call without one failed. */
async function resolveInvites(platform: Platform, samples: CallSample[]): Promise<void> {
  const deadline = Date.now() + INVITE_WAIT_MS;
  for (;;) {
    const invites = inviteTimesByNumber(platform.carrier.messages());
    const missing = samples.filter((sample) => !invites.has(sample.number));
    for (const sample of samples) sample.inviteAtMs = invites.get(sample.number)?.atMs;
    if (missing.length === 0 || Date.now() > deadline) {
      for (const sample of missing) sample.failure ??= 'no INVITE reached the carrier';
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function combine(
  a: { result: PhaseResult; samples: CallSample[] },
  b: { result: PhaseResult; samples: CallSample[] },
): PhaseResult {
  const samples = [...a.samples, ...b.samples];
  return {
    path: a.result.path,
    rate: a.result.rate,
    calls: samples.length,
    failed: a.result.failed + b.result.failed,
    failures: [...new Set([...a.result.failures, ...b.result.failures])],
    sendSeconds: a.result.sendSeconds + b.result.sendSeconds,
    setup: distribution(samples.map(setupMs).filter((value): value is number => value !== undefined)),
    driftMs: undefined,
    commitMs:
      a.result.commitMs !== undefined &&
      b.result.commitMs !== undefined &&
      b.result.commitMs.p99 > a.result.commitMs.p99
        ? b.result.commitMs
        : a.result.commitMs,
  };
}

function sustained(step: PhaseResult): boolean {
  return (
    step.failed === 0 &&
    step.setup !== undefined &&
    step.setup.p99 < SUSTAINED_P99_LIMIT_MS &&
    (step.driftMs ?? 0) < DRIFT_LIMIT_MS
  );
}

/** How much the median set-up grew from the first fifth of the calls (in sending order) to the last. */
function driftOf(samples: readonly CallSample[]): number | undefined {
  const ordered = [...samples].sort((a, b) => a.sentAtMs - b.sentAtMs);
  const fifth = Math.floor(ordered.length / 5);
  if (fifth === 0) return undefined;
  const median = (part: readonly CallSample[]) =>
    distribution(part.map(setupMs).filter((value): value is number => value !== undefined))?.p50;
  const first = median(ordered.slice(0, fifth));
  const last = median(ordered.slice(-fifth));
  return first === undefined || last === undefined ? undefined : last - first;
}

/** Warning and error lines (pino level >= 40) each Ringbus process logged, with a few distinct messages. */
function serviceWarnings(platform: Platform): Record<string, { count: number; examples: string[] }> {
  const processes = {
    'event-relay': platform.relay,
    signaling: platform.signaling,
    'media-orchestration': platform.mediaOrchestration,
  };
  const found: Record<string, { count: number; examples: string[] }> = {};
  for (const [service, child] of Object.entries(processes)) {
    let count = 0;
    const examples = new Set<string>();
    for (const line of child.output().split('\n')) {
      const match = /"level":(\d+).*?"msg":"([^"]*)"/.exec(line);
      if (match === null || Number(match[1]) < 40) continue;
      count += 1;
      if (examples.size < 3) examples.add(match[2] ?? '');
    }
    found[service] = { count, examples: [...examples] };
  }
  return found;
}

function ratioOf(ringbus: Distribution | undefined, direct: Distribution | undefined): number | undefined {
  return ringbus === undefined || direct === undefined ? undefined : ringbus.p99 / direct.p99;
}

function addedOf(ringbus: Distribution | undefined, direct: Distribution | undefined): number | undefined {
  return ringbus === undefined || direct === undefined ? undefined : ringbus.p99 - direct.p99;
}

function quiet(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, QUIET_BETWEEN_PHASES_MS));
}

function printPhases(phases: readonly PhaseResult[]): void {
  const ms = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(1));
  printTable(
    [
      'path',
      'calls/s',
      'calls',
      'failed',
      'sent in s',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
      'drift ms',
      'commit p50/p99',
    ],
    phases.map((phase) => [
      phase.path,
      String(phase.rate),
      String(phase.calls),
      String(phase.failed),
      phase.sendSeconds.toFixed(1),
      ms(phase.setup?.p50),
      ms(phase.setup?.p95),
      ms(phase.setup?.p99),
      ms(phase.setup?.max),
      ms(phase.driftMs),
      `${ms(phase.commitMs?.p50)}/${ms(phase.commitMs?.p99)}`,
    ]),
  );
  for (const phase of phases) {
    if (phase.failed > 0)
      console.log(`  ${phase.path} at ${phase.rate}/s failures: ${phase.failures.join(' | ')}`);
  }
}

function printHops({ perHop, consumerTakenPerSecond, perSecond, consumerCycle }: HopBreakdown): void {
  printTable(
    ['hop', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
    [...HOP_NAMES, 'total'].map((name) => {
      const hop = perHop[name];
      return [
        name,
        ...[hop?.p50, hop?.p95, hop?.p99, hop?.max].map((v) => (v === undefined ? '-' : v.toFixed(1))),
      ];
    }),
  );
  if (consumerCycle !== undefined) {
    const show = (d: Distribution | undefined) =>
      `p50 ${d?.p50.toFixed(1) ?? '-'} / p95 ${d?.p95.toFixed(1) ?? '-'} ms`;
    console.log(
      `media-orchestration's serial cycle per queued CallRequested (${consumerCycle.cycle?.count ?? 0}): ${show(consumerCycle.cycle)}; ` +
        `placing (claim, Janus register + call) ${show(consumerCycle.placing)}; after \`calling\` (SipInviteSent stored, ack, other events) ${show(consumerCycle.afterCalling)}`,
    );
  }
  if (consumerTakenPerSecond !== undefined) {
    console.log(
      `media-orchestration took ${consumerTakenPerSecond.toFixed(1)} CallRequested/s over the step`,
    );
  }
  console.log(
    `median per second of sending: set-up ${perSecond.map((s) => s.total.toFixed(0)).join(' ')} ms; ` +
      `of which waiting at media-orchestration's consumer ${perSecond.map((s) => s.jetStreamToConsumer.toFixed(0)).join(' ')} ms`,
  );
}

await main();
