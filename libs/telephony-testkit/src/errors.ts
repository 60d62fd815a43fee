import { RingbusError } from '@ringbus/errors';

export type TelephonyTestkitErrorCode =
  | 'NOT_IN_LOOPBACK_NAMESPACE'
  | 'TELEPHONY_BINARY_MISSING'
  | 'TELEPHONY_PROCESS_START_FAILED'
  | 'INVALID_TELEPHONY_OPTIONS'
  | 'WEBRTC_NEGOTIATION_FAILED';

export abstract class TelephonyTestkitError extends RingbusError<TelephonyTestkitErrorCode> {}

/** Janus can only gather loopback ICE candidates inside the namespace that scripts/in-netns.sh creates. */
export class NotInLoopbackNamespaceError extends TelephonyTestkitError {
  readonly code = 'NOT_IN_LOOPBACK_NAMESPACE';
  readonly retryable = false;
  constructor(interfaceName: string) {
    super(
      `network interface ${interfaceName} does not exist: run this inside the test namespace, ` +
        `e.g. \`bash scripts/in-netns.sh npx vitest run --project e2e <path>\``,
    );
  }
}

export class TelephonyBinaryMissingError extends TelephonyTestkitError {
  readonly code = 'TELEPHONY_BINARY_MISSING';
  readonly retryable = false;
  constructor(
    readonly binary: string,
    debianPackage: string,
    options?: { cause?: unknown },
  ) {
    super(
      `${binary} is missing: install the Debian package \`${debianPackage}\` (see scripts/setup.sh)`,
      options,
    );
  }
}

export class TelephonyProcessStartError extends TelephonyTestkitError {
  readonly code = 'TELEPHONY_PROCESS_START_FAILED';
  // Most start failures here are a port taken between probing and binding; a fresh attempt picks new ports.
  readonly retryable = true;
  constructor(
    readonly processName: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${processName} did not start: ${problem}`, options);
  }
}

export class InvalidTelephonyOptionsError extends TelephonyTestkitError {
  readonly code = 'INVALID_TELEPHONY_OPTIONS';
  readonly retryable = false;
  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`option \`${option}\` is invalid: ${problem}`);
  }
}

export class WebRtcNegotiationError extends TelephonyTestkitError {
  readonly code = 'WEBRTC_NEGOTIATION_FAILED';
  readonly retryable = false;
  constructor(problem: string, options?: { cause?: unknown }) {
    super(`WebRTC negotiation failed: ${problem}`, options);
  }
}
