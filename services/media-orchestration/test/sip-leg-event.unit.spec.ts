import { describe, expect, it } from 'vitest';
import { parseSipPluginMessage } from '../src/domain/sip-leg-event.js';

const pluginMessage = (data: Record<string, unknown>, jsep?: unknown) => ({
  janus: 'event',
  session_id: 1,
  sender: 2,
  plugindata: { plugin: 'janus.plugin.sip', data },
  ...(jsep === undefined ? {} : { jsep }),
});

describe('reading raw Janus SIP plugin messages', () => {
  it('reads the event name, our Call-ID and the JSEP answer of `accepted`', () => {
    const message = pluginMessage(
      { sip: 'event', call_id: 'rb-0192', result: { event: 'accepted', username: 'sip:bob@127.0.0.1' } },
      { type: 'answer', sdp: 'v=0\r\n' },
    );
    expect(parseSipPluginMessage(message)).toEqual({
      kind: 'plugin',
      name: 'accepted',
      code: undefined,
      reason: undefined,
      sipCallId: 'rb-0192',
      jsep: { type: 'answer', sdp: 'v=0\r\n' },
      q850Cause: undefined,
      username: 'sip:bob@127.0.0.1',
    });
  });

  it('reads who calls and whom of `incomingcall`', () => {
    const message = pluginMessage(
      {
        sip: 'event',
        call_id: 'carrier-1@127.0.0.1',
        result: {
          event: 'incomingcall',
          username: 'sip:+15550142@carrier.example',
          displayname: 'Front desk',
          callee: 'sip:alice@127.0.0.1',
        },
      },
      { type: 'offer', sdp: 'v=0\r\n' },
    );
    expect(parseSipPluginMessage(message)).toMatchObject({
      name: 'incomingcall',
      sipCallId: 'carrier-1@127.0.0.1',
      username: 'sip:+15550142@carrier.example',
      displayName: 'Front desk',
      callee: 'sip:alice@127.0.0.1',
      jsep: { type: 'offer' },
    });
  });

  it('reads the code, reason and Q.850 cause of `hangup`', () => {
    const message = pluginMessage({
      sip: 'event',
      call_id: 'rb-0192',
      result: {
        event: 'hangup',
        code: 486,
        reason: 'Busy Here',
        reason_header: 'Q.850;cause=17;text="User busy"',
        reason_header_protocol: 'Q.850',
        reason_header_cause: '17',
      },
    });
    expect(parseSipPluginMessage(message)).toMatchObject({
      name: 'hangup',
      code: 486,
      reason: 'Busy Here',
      q850Cause: 17,
    });
  });

  it('ignores a Reason header of another protocol', () => {
    const message = pluginMessage({
      sip: 'event',
      result: { event: 'hangup', code: 200, reason_header_protocol: 'SIP', reason_header_cause: '200' },
    });
    expect(parseSipPluginMessage(message)).toMatchObject({ q850Cause: undefined });
  });

  it("reads the plugin's refusal of a request", () => {
    const message = pluginMessage({ sip: 'event', error_code: 446, error: 'Missing SDP' });
    expect(parseSipPluginMessage(message)).toEqual({
      kind: 'plugin-error',
      errorCode: 446,
      error: 'Missing SDP',
    });
  });

  it('returns nothing for messages that are not SIP plugin events', () => {
    expect(parseSipPluginMessage({})).toBeUndefined();
    expect(
      parseSipPluginMessage({ plugindata: { plugin: 'janus.plugin.sip', data: { sip: 'event' } } }),
    ).toBeUndefined();
    expect(
      parseSipPluginMessage({ plugindata: { plugin: 'x', data: { videoroom: 'event' } } }),
    ).toBeUndefined();
  });
});
