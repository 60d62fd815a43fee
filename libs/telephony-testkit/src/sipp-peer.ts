import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  describeExit,
  OwnedProcess,
  type ProcessExit,
  removeOwnedFolder,
  startInOwnedFolder,
} from '@ringbus/testkit';
import {
  InvalidTelephonyOptionsError,
  TelephonyBinaryMissingError,
  TelephonyProcessStartError,
} from './errors.js';
import { freeLoopbackUdpPort } from './free-udp-port.js';
import { parseSippMessageTrace, type TracedSipMessage } from './sip-trace.js';
import { waitForUdpBound } from './udp-bound.js';

export const SIPP_BINARY = '/usr/bin/sipp';

/** The scenarios shipped in `libs/telephony-testkit/scenarios/` (see the comment at the top of each file). */
export type SippScenario =
  | 'uas-answer-echo'
  | 'uas-busy'
  | 'uas-ringing-no-answer'
  | 'uas-early-media'
  | 'uas-answer-then-bye'
  | 'uas-answer-info-hold'
  | 'uas-answer-reinvite'
  | 'uac-invite'
  | 'uac-invite-refused'
  | 'uac-invite-cancel';

export interface SippOptions {
  /** A shipped scenario by name, or `{ file }` for a scenario XML of the caller's. */
  readonly scenario: SippScenario | { readonly file: string };
  /** `host:port` to send to (needed by UAC scenarios, e.g. the registrar's address). */
  readonly remoteHost?: string;
  /** The user part of the request URI (`-s`), e.g. the callee's SIP user for `uac-invite`. */
  readonly service?: string;
  /** How many calls before sipp exits (`-m`, default 1). */
  readonly calls?: number;
  /** Milliseconds for each `<pause/>` (`-d`): the early-media time, the time before a UAS BYE, ... */
  readonly pauseMs?: number;
  /** The Call-ID format of UAC calls (`-cid_str`, `%u` call number, `%p` pid, `%s` ip). */
  readonly callIdFormat?: string;
  /** Echo received RTP back to its sender on the media port (default true). */
  readonly rtpEcho?: boolean;
  /** A call fails when an expected message does not come within this time (`-recv_timeout`). */
  readonly recvTimeoutMs?: number;
  /** sipp quits, failing, after this long whatever happens (default 120 s): no run can hang a test. */
  readonly globalTimeoutMs?: number;
  /** Scenario keywords (`-key name value`), usable as `[name]` in the XML. */
  readonly keys?: Readonly<Record<string, string>>;
  /** More sipp arguments, appended last. */
  readonly extraArgs?: readonly string[];
  /** How long to wait for sipp to bind its SIP port (default 5 s). */
  readonly startTimeoutMs?: number;
}

export interface SippOutcome extends ProcessExit {
  /** sipp exits 0 only when every call of the scenario succeeded. */
  readonly passed: boolean;
}

export interface SippPeer {
  readonly pid: number;
  readonly sipPort: number;
  /** The RTP port in sipp's SDP (echoed when `rtpEcho`). */
  readonly mediaPort: number;
  /** `127.0.0.1:<sipPort>`. */
  readonly address: string;
  /** A URI that reaches this sipp, e.g. the target of a Janus `call`: `sip:<user>@127.0.0.1:<sipPort>`. */
  uri(user?: string): string;
  /** Settles when sipp exits; `passed` when all calls succeeded. */
  readonly done: Promise<SippOutcome>;
  /** The SIP messages sipp sent and received so far, parsed from its `-trace_msg` file. */
  messages(): TracedSipMessage[];
  /** Resolves with the first traced message that matches; rejects after `timeoutMs` (default 10 s). */
  waitForMessage(
    matches: (message: TracedSipMessage) => boolean,
    timeoutMs?: number,
  ): Promise<TracedSipMessage>;
  /** sipp's screen output and, after exit, its error log. */
  output(): string;
  /** SIGTERM by PID, SIGKILL after 3 s. */
  stop(): Promise<SippOutcome>;
}

/** Runs sipp on its own loopback SIP, media and control ports, with its messages traced to a file. */
export async function runSipp(options: SippOptions): Promise<SippPeer> {
  if (!existsSync(SIPP_BINARY)) throw new TelephonyBinaryMissingError(SIPP_BINARY, 'sip-tester');
  const scenarioFile =
    typeof options.scenario === 'string' ? sippScenarioFile(options.scenario) : options.scenario.file;
  if (!existsSync(scenarioFile))
    throw new InvalidTelephonyOptionsError('scenario', `${scenarioFile} does not exist`);
  return startInOwnedFolder('ringbus-sipp-', async (workDir) => {
    const sipPort = await freeLoopbackUdpPort();
    // -rtp_echo binds the media port and the one 2 above it.
    const mediaPort = await freeLoopbackUdpPort([1, 2, 3]);
    const controlPort = await freeLoopbackUdpPort();
    const traceFile = join(workDir, 'messages.log');
    const errorFile = join(workDir, 'errors.log');
    const args = sippArguments(options, {
      scenarioFile,
      sipPort,
      mediaPort,
      controlPort,
      traceFile,
      errorFile,
    });
    let sipp: OwnedProcess;
    try {
      sipp = await OwnedProcess.spawn('sipp', SIPP_BINARY, args, { cwd: workDir });
    } catch (error) {
      throw new TelephonyProcessStartError('sipp', `cannot execute ${SIPP_BINARY}`, { cause: error });
    }
    try {
      await waitForUdpBound(sipPort, options.startTimeoutMs ?? 5_000, () =>
        sipp.isRunning() ? undefined : `sipp exited (${describeExit(sipp.exitStatus())})`,
      );
    } catch (error) {
      await sipp.stop({ signal: 'SIGKILL', timeoutMs: 1_000 });
      throw new TelephonyProcessStartError('sipp', (error as Error).message, {
        cause: sipp.failure(`did not bind 127.0.0.1:${sipPort}`),
      });
    }
    return new RunningSipp(sipp, sipPort, mediaPort, workDir, traceFile, errorFile);
  });
}

/** The path of a shipped scenario (works from the sources and from `dist/`). */
export function sippScenarioFile(scenario: SippScenario): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, '..', 'scenarios'), join(here, '..', '..', 'scenarios')]) {
    const file = join(candidate, `${scenario}.xml`);
    if (existsSync(file)) return file;
  }
  throw new InvalidTelephonyOptionsError('scenario', `no shipped scenario named ${scenario}`);
}

function sippArguments(
  options: SippOptions,
  files: {
    scenarioFile: string;
    sipPort: number;
    mediaPort: number;
    controlPort: number;
    traceFile: string;
    errorFile: string;
  },
): string[] {
  const args = ['-sf', files.scenarioFile];
  if (options.remoteHost !== undefined) args.push(options.remoteHost);
  args.push('-i', '127.0.0.1', '-bind_local', '-p', String(files.sipPort));
  args.push('-mi', '127.0.0.1', '-mp', String(files.mediaPort), '-cp', String(files.controlPort));
  if (options.rtpEcho ?? true) args.push('-rtp_echo');
  args.push('-m', String(options.calls ?? 1));
  if (options.pauseMs !== undefined) args.push('-d', String(options.pauseMs));
  if (options.service !== undefined) args.push('-s', options.service);
  if (options.callIdFormat !== undefined) args.push('-cid_str', options.callIdFormat);
  if (options.recvTimeoutMs !== undefined) args.push('-recv_timeout', String(options.recvTimeoutMs));
  args.push('-timeout', `${Math.ceil((options.globalTimeoutMs ?? 120_000) / 1000)}s`, '-timeout_error');
  args.push('-trace_msg', '-message_file', files.traceFile, '-trace_err', '-error_file', files.errorFile);
  args.push('-nostdin');
  for (const [name, value] of Object.entries(options.keys ?? {})) args.push('-key', name, value);
  args.push(...(options.extraArgs ?? []));
  return args;
}

function readIfExists(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

class RunningSipp implements SippPeer {
  readonly address: string;
  readonly done: Promise<SippOutcome>;
  // Kept after exit, when the work folder is gone.
  private finalTrace: string | undefined;
  private finalErrors = '';

  constructor(
    private readonly child: OwnedProcess,
    readonly sipPort: number,
    readonly mediaPort: number,
    workDir: string,
    private readonly traceFile: string,
    private readonly errorFile: string,
  ) {
    this.address = `127.0.0.1:${sipPort}`;
    this.done = child.exited.then(async (exit) => {
      this.finalTrace = readIfExists(traceFile);
      this.finalErrors = readIfExists(errorFile);
      await removeOwnedFolder(workDir);
      return { ...exit, passed: exit.code === 0 };
    });
  }

  get pid(): number {
    return this.child.pid;
  }

  uri(user = 'carrier'): string {
    return `sip:${user}@${this.address}`;
  }

  messages(): TracedSipMessage[] {
    return parseSippMessageTrace(this.finalTrace ?? readIfExists(this.traceFile));
  }

  async waitForMessage(
    matches: (message: TracedSipMessage) => boolean,
    timeoutMs = 10_000,
  ): Promise<TracedSipMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages().find(matches);
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        const seen = this.messages().map((message) => `${message.direction} ${message.startLine}`);
        throw new Error(
          `sipp traced no matching message within ${timeoutMs} ms; it traced: ${seen.join(' | ')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  output(): string {
    const errors = this.finalErrors || readIfExists(this.errorFile);
    return errors === '' ? this.child.output() : `${this.child.output()}\n--- sipp error log ---\n${errors}`;
  }

  async stop(): Promise<SippOutcome> {
    await this.child.stop({ signal: 'SIGTERM', timeoutMs: 3_000 });
    return this.done;
  }
}
