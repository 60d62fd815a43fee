import { RingbusError } from '@ringbus/errors';

export type MediaOrchestrationErrorCode =
  | 'NO_GATEWAY_AVAILABLE'
  | 'CALLEE_NOT_DIALABLE'
  | 'JANUS_REQUEST_FAILED'
  | 'JANUS_PLUGIN_REFUSED'
  | 'SERVICE_STOPPING'
  | 'MEDIA_SCHEMA_MIGRATION_FAILED';

/** What media-orchestration throws; `retryable` when the same request may succeed later unchanged. */
export abstract class MediaOrchestrationError extends RingbusError<MediaOrchestrationErrorCode> {}

/** Why no gateway could take a call: none configured, none connected, or every connected one is full. */
export type GatewayShortage = 'none-configured' | 'none-up' | 'all-full';

export class NoGatewayAvailableError extends MediaOrchestrationError {
  readonly code = 'NO_GATEWAY_AVAILABLE';
  readonly retryable = true;

  constructor(
    readonly shortage: GatewayShortage,
    readonly region: string,
  ) {
    super(
      {
        'none-configured': 'no Janus gateway is configured: set JANUS_GATEWAYS',
        'none-up': `no Janus gateway is connected (wanted region ${region}); check that Janus runs and JANUS_GATEWAYS points at it`,
        'all-full': `every connected Janus gateway is at capacity (wanted region ${region}); add gateways or raise their capacity`,
      }[shortage],
    );
  }
}

export class CalleeNotDialableError extends MediaOrchestrationError {
  readonly code = 'CALLEE_NOT_DIALABLE';
  readonly retryable = false;

  constructor(readonly reason: string) {
    super(`the callee cannot be dialled: ${reason}`);
  }
}

/** A request to Janus failed without Janus saying why in SIP terms: a timeout, a closed connection. */
export class JanusRequestError extends MediaOrchestrationError {
  readonly code = 'JANUS_REQUEST_FAILED';
  readonly retryable = true;

  constructor(
    readonly gatewayId: string,
    readonly request: string,
    options?: { cause?: unknown },
  ) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`Janus gateway ${gatewayId} did not complete ${request}${reason}`, options);
  }
}

/** The Janus SIP plugin refused a request (`{error_code, error}`): the request itself is wrong. */
export class JanusPluginRefusedError extends MediaOrchestrationError {
  readonly code = 'JANUS_PLUGIN_REFUSED';
  readonly retryable = false;

  constructor(
    readonly pluginErrorCode: number,
    readonly pluginError: string,
  ) {
    super(`the Janus SIP plugin refused the request (error ${pluginErrorCode}: ${pluginError})`);
  }
}

/** The service is stopping; the event is left for another instance (or this one after its restart). */
export class ServiceStoppingError extends MediaOrchestrationError {
  readonly code = 'SERVICE_STOPPING';
  readonly retryable = true;

  constructor() {
    super('media-orchestration is stopping and takes no new call; the event will be redelivered');
  }
}
