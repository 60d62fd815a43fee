/**
 * Names and numbers of the WebTrit signaling protocol (WTSP) as the public softphones know them.
 * Sources: webtrit_phone `packages/webtrit_signaling/lib/src/signaling_disconnect_code.dart`,
 * `signaling_response_code.dart`, `webtrit_signaling_client.dart`, and webtrit_docs `signaling/`.
 */

/** The WebSocket subprotocol every WTSP socket must negotiate; a socket without it is refused. */
export const SIGNALING_SUBPROTOCOL = 'webtrit-protocol';

/** Path of the signaling socket below the server root, and below `/tenant/<tenantId>`. */
export const SIGNALING_PATH = '/signaling/v1';
export const TENANT_PATH_SEGMENT = 'tenant';

/** Query parameters of the signaling URL. `force=true` evicts a live socket of the same session. */
export const SignalingQueryParam = {
  token: 'token',
  force: 'force',
} as const;

/** What the server sends in `keepalive_interval` unless configured otherwise (both public clients expect ms). */
export const DEFAULT_KEEPALIVE_INTERVAL_MS = 30_000;

/**
 * WebSocket close codes the server uses to end a signaling socket. The Flutter app reacts to several of them
 * by name (4201 logs the user out; 4441, 4502, 4302 and 4400 reconnect silently; 4610 drops hung-up calls).
 */
export const CloseCode = {
  normal: 1000,
  socketMessageError: 4101,
  sessionMissed: 4201,
  appUnknown: 4300,
  appMissed: 4301,
  appUnregistered: 4302,
  controllerUnknown: 4400,
  controllerMissed: 4401,
  controllerExit: 4402,
  subscriberDataError: 4410,
  subscriberMissed: 4411,
  subscriberCredentialsMissed: 4412,
  webrtcError: 4420,
  alreadyAttached: 4431,
  notAttached: 4432,
  evictedByForce: 4441,
  signalingMessageError: 4501,
  keepaliveTimeout: 4502,
  requestUnknown: 4600,
  requestExecuteError: 4601,
  requestExecuteTimeout: 4602,
  requestCallIdError: 4610,
} as const;
export type CloseCodeName = keyof typeof CloseCode;
export type CloseCodeValue = (typeof CloseCode)[CloseCodeName];

const closeCodeNames = new Map<number, CloseCodeName>(
  (Object.entries(CloseCode) as [CloseCodeName, number][]).map(([name, code]) => [code, name]),
);

/** The protocol name of a close code, or undefined for codes WTSP does not define (1006, 4000, …). */
export function closeCodeName(code: number): CloseCodeName | undefined {
  return closeCodeNames.get(code);
}

/**
 * Error codes of `error` responses and call/line/session `error` events. They follow Janus: the core API
 * codes (403–472) and the SIP plugin codes (440–455, 499). Any code not listed is a SIP response code
 * (e.g. 486 Busy Here, 603 Decline). Some numbers mean one thing in the core list and another in the SIP
 * plugin list (450–455): the `reason` text is what tells them apart.
 */
export const ResponseErrorCode = {
  unauthorizedRequest: 403,
  unauthorizedAccess: 405,
  transportSpecificError: 450,
  missingRequest: 452,
  unknownRequest: 453,
  invalidJson: 454,
  invalidJsonObject: 455,
  missingMandatoryElement: 456,
  invalidPath: 457,
  sessionNotFound: 458,
  handleNotFound: 459,
  pluginNotFound: 460,
  errorAttachingPlugin: 461,
  errorSendingMessage: 462,
  errorDetachingPlugin: 463,
  unsupportedJsepType: 464,
  invalidSdp: 465,
  invalidStream: 466,
  invalidElementType: 467,
  sessionIdInUse: 468,
  unexpectedAnswer: 469,
  tokenNotFound: 470,
  wrongWebrtcState: 471,
  notAcceptingNewSessions: 472,
  unknownError: 490,
} as const;
export type ResponseErrorCodeName = keyof typeof ResponseErrorCode;

export const SipPluginErrorCode = {
  noMessage: 440,
  invalidJson: 441,
  invalidRequest: 442,
  missingElement: 443,
  invalidElement: 444,
  alreadyRegistered: 445,
  invalidAddress: 446,
  wrongState: 447,
  missingSdp: 448,
  libsofiaError: 449,
  ioError: 450,
  recordingError: 451,
  tooStrict: 452,
  helperError: 453,
  noSuchCallId: 454,
  referError: 455,
  unknownError: 499,
} as const;
export type SipPluginErrorCodeName = keyof typeof SipPluginErrorCode;
