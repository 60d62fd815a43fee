import { describe, expect, it } from 'vitest';
import { renderJanusConfig } from '../src/janus-config.js';
import { renderKamailioConfig } from '../src/kamailio-config.js';

const janusFiles = renderJanusConfig({
  configDir: '/tmp/j',
  pluginsDir: '/tmp/j/plugins',
  transportsDir: '/tmp/j/transports',
  emptyDir: '/tmp/j/none',
  wsPort: 41_000,
  adminWsPort: 41_001,
  adminSecret: 'admin-secret',
  webRtcPorts: { min: 20_000, max: 20_099 },
  sipRtpPorts: { min: 20_100, max: 20_199 },
  debugLevel: 4,
  dtlsTimeoutMs: 100,
  sipTimerT1x64Ms: 32_000,
});
const kamailioConfig = renderKamailioConfig({
  sipPort: 5_070,
  modulesDir: '/usr/lib/kamailio',
  debugLevel: 2,
});

function addressesIn(text: string): string[] {
  return [...text.matchAll(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g)].map((match) => match[0]);
}

describe('generated configurations keep every socket on loopback', () => {
  it('names no address but 127.0.0.1 in any Janus or Kamailio file', () => {
    const texts = [...janusFiles.values(), kamailioConfig];
    for (const text of texts) expect(new Set(addressesIn(text))).toEqual(new Set(['127.0.0.1']));
  });

  it('enforces Janus ICE to the namespace veth, with no STUN, TURN, mDNS or IPv6', () => {
    const core = janusFiles.get('janus.jcfg') ?? '';
    expect(core).toMatch(/ice_enforce_list = "jlo0"/);
    expect(core).toMatch(/ignore_mdns = true/);
    expect(core).toMatch(/ipv6 = false/);
    expect(core).not.toMatch(/stun_server|turn_server|nat_1_1_mapping/);
    expect(core).toMatch(/rtp_port_range = "20000-20099"/);
  });

  it('exposes the Janus APIs only on 127.0.0.1 to 127.* clients, and binds the SIP plugin there', () => {
    const transport = janusFiles.get('janus.transport.websockets.jcfg') ?? '';
    expect(transport).toMatch(/ws_ip = "127\.0\.0\.1"/);
    expect(transport).toMatch(/ws_acl = "127\."/);
    expect(transport).toMatch(/admin_ws_acl = "127\."/);
    const sip = janusFiles.get('janus.plugin.sip.jcfg') ?? '';
    for (const key of ['local_ip', 'local_media_ip', 'sdp_ip']) expect(sip).toContain(`${key} = "127.0.0.1"`);
    expect(sip).toMatch(/keepalive_interval = 0/);
    expect(sip).toMatch(/rtp_port_range = "20100-20199"/);
  });

  it('makes Kamailio listen on one loopback UDP socket, without DNS or TCP', () => {
    expect(kamailioConfig).toMatch(/^listen=udp:127\.0\.0\.1:5070$/m);
    expect(kamailioConfig).toMatch(/^disable_tcp=yes$/m);
    expect(kamailioConfig).toMatch(/^dns=no$/m);
  });
});
