export {
  TelephonyTestkitError,
  NotInLoopbackNamespaceError,
  TelephonyBinaryMissingError,
  TelephonyProcessStartError,
  InvalidTelephonyOptionsError,
  WebRtcNegotiationError,
  type TelephonyTestkitErrorCode,
} from './errors.js';
export {
  LOOPBACK_ICE_INTERFACE,
  insideLoopbackNamespace,
  assertInsideLoopbackNamespace,
} from './loopback-namespace.js';
export { freeLoopbackUdpPort } from './free-udp-port.js';
export { type PortRange } from './janus-config.js';
export { startJanus, type JanusOptions, type JanusGateway } from './janus-gateway.js';
export { JANUS_BINARY } from './janus-install.js';
export {
  startKamailio,
  KAMAILIO_BINARY,
  type KamailioOptions,
  type KamailioRegistrar,
} from './kamailio-registrar.js';
export {
  runSipp,
  sippScenarioFile,
  SIPP_BINARY,
  type SippScenario,
  type SippOptions,
  type SippOutcome,
  type SippPeer,
} from './sipp-peer.js';
export { parseSippMessageTrace, type TracedSipMessage } from './sip-trace.js';
export {
  createWebRtcPeer,
  type Jsep,
  type WebRtcPeer,
  type WebRtcPeerOptions,
  type RtpCounters,
} from './webrtc-peer.js';
