import { LOOPBACK_ICE_INTERFACE } from './loopback-namespace.js';

/** A range of UDP ports, both ends included. */
export interface PortRange {
  readonly min: number;
  readonly max: number;
}

export interface JanusConfigInput {
  readonly configDir: string;
  readonly pluginsDir: string;
  readonly transportsDir: string;
  readonly emptyDir: string;
  readonly wsPort: number;
  readonly adminWsPort: number;
  readonly adminSecret: string;
  /** ICE/DTLS/SRTP ports towards the WebRTC peers. */
  readonly webRtcPorts: PortRange;
  /** The SIP plugin's plain RTP ports towards the SIP peer. */
  readonly sipRtpPorts: PortRange;
  readonly debugLevel: number;
  /** Milliseconds between DTLS retransmissions (only honoured by BoringSSL builds of Janus). */
  readonly dtlsTimeoutMs: number;
  /** The SIP transaction timeout (T1x64) in milliseconds; smaller makes unanswered requests fail sooner. */
  readonly sipTimerT1x64Ms: number;
}

/** The file name -> contents of a Janus configuration folder for loopback-only tests. */
export function renderJanusConfig(input: JanusConfigInput): ReadonlyMap<string, string> {
  const files = new Map<string, string>();
  files.set(
    'janus.jcfg',
    `general: {
  configs_folder = ${quote(input.configDir)}
  plugins_folder = ${quote(input.pluginsDir)}
  transports_folder = ${quote(input.transportsDir)}
  events_folder = ${quote(input.emptyDir)}
  loggers_folder = ${quote(input.emptyDir)}
  debug_level = ${input.debugLevel}
  debug_timestamps = true
  admin_secret = ${quote(input.adminSecret)}
  interface = "127.0.0.1"
  server_name = "ringbus-test-janus"
  session_timeout = 60
}
certificates: {
}
media: {
  ipv6 = false
  rtp_port_range = ${quote(portRange(input.webRtcPorts))}
  dtls_timeout = ${input.dtlsTimeoutMs}
  no_media_timer = 1
}
nat: {
  nice_debug = false
  # Janus skips interfaces flagged loopback before it reads this list: inside the test namespace 127.0.0.1
  # also sits on the veth ${LOOPBACK_ICE_INTERFACE}, the only interface ICE may use.
  ice_enforce_list = ${quote(LOOPBACK_ICE_INTERFACE)}
  ignore_mdns = true
  full_trickle = false
  ice_tcp = false
}
plugins: {
}
transports: {
}
loggers: {
}
events: {
  broadcast = false
}
`,
  );
  files.set(
    'janus.transport.websockets.jcfg',
    `general: {
  json = "compact"
  ws = true
  ws_port = ${input.wsPort}
  ws_ip = "127.0.0.1"
  ws_acl = "127."
  wss = false
}
admin: {
  admin_ws = true
  admin_ws_port = ${input.adminWsPort}
  admin_ws_ip = "127.0.0.1"
  admin_ws_acl = "127."
  admin_wss = false
}
`,
  );
  files.set(
    'janus.plugin.sip.jcfg',
    `general: {
  local_ip = "127.0.0.1"
  local_media_ip = "127.0.0.1"
  sdp_ip = "127.0.0.1"
  keepalive_interval = 0
  behind_nat = false
  register_ttl = 3600
  rtp_port_range = ${quote(portRange(input.sipRtpPorts))}
  events = false
  sip_timer_t1x64 = ${input.sipTimerT1x64Ms}
}
`,
  );
  return files;
}

function portRange(range: PortRange): string {
  return `${range.min}-${range.max}`;
}

function quote(value: string): string {
  return JSON.stringify(value);
}
