import type { ClientRequest, EventName, RequestName, ServerEvent, StateHandshake } from '../src/index.js';

/** Messages shaped as the public clients send or expect them, one or more per kind. */

const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n' } as const;
const answer = { type: 'answer', sdp: 'v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\n' } as const;
const callId = 'Qw3rTy7uIoPaSdFgHjKlZxCv';

export const requestSamples: Record<RequestName, ClientRequest[]> = {
  outgoing_call: [
    {
      request: 'outgoing_call',
      transaction: 'transaction-1',
      line: 0,
      call_id: callId,
      number: '380441234567',
      jsep: offer,
    },
    {
      // The Flutter app's guest-line call, with its explicit nulls.
      request: 'outgoing_call',
      transaction: 'transaction-2',
      line: null,
      call_id: callId,
      number: '100',
      jsep: offer,
      from: '200',
      refer_id: null,
      replaces: null,
    },
    {
      request: 'outgoing_call',
      transaction: 'transaction-3',
      line: 1,
      call_id: callId,
      number: '101',
      jsep: offer,
      refer_id: '17',
      replaces: 'other-call',
    },
  ],
  accept: [{ request: 'accept', transaction: 'transaction-4', line: 0, call_id: callId, jsep: answer }],
  decline: [
    { request: 'decline', transaction: 'transaction-5', line: 0, call_id: callId, refer_id: null },
    { request: 'decline', transaction: 'transaction-6', line: 0, call_id: callId, refer_id: 17 },
    { request: 'decline', transaction: 'transaction-7', line: 0, call_id: callId, refer_id: '17' },
  ],
  hangup: [{ request: 'hangup', transaction: 'transaction-8', line: 2, call_id: callId }],
  hold: [
    { request: 'hold', transaction: 'transaction-9', line: 0, call_id: callId, direction: 'inactive' },
    { request: 'hold', transaction: 'transaction-10', line: 0, call_id: callId },
  ],
  unhold: [{ request: 'unhold', transaction: 'transaction-11', line: 0, call_id: callId }],
  update: [{ request: 'update', transaction: 'transaction-12', line: 0, call_id: callId, jsep: offer }],
  transfer: [
    { request: 'transfer', transaction: 'transaction-13', line: 0, call_id: callId, number: '102' },
    {
      request: 'transfer',
      transaction: 'transaction-14',
      line: 0,
      call_id: callId,
      number: '102',
      replace_call_id: 'consult-call',
    },
  ],
  ice_trickle: [
    {
      request: 'ice_trickle',
      transaction: 'transaction-15',
      line: 0,
      candidate: {
        candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host',
        sdpMid: '0',
        sdpMLineIndex: 0,
      },
    },
    { request: 'ice_trickle', transaction: 'transaction-16', line: 0, candidate: null },
    { request: 'ice_trickle', transaction: 'transaction-17', line: 0, candidate: { completed: true } },
  ],
  presence_update: [
    {
      request: 'presence_update',
      transaction: 'transaction-18',
      settings: {
        available: true,
        note: 'at desk',
        status_icon: null,
        device: 'mobile',
        time_offset_min: 120,
        timestamp: '2026-11-25T08:00:00.000Z',
        activity: null,
        dnd_mode: false,
      },
    },
  ],
  dtmf: [{ request: 'dtmf', transaction: 'transaction-19', line: 0, call_id: callId, digits: '12*#A' }],
};

export const eventSamples: Record<EventName, ServerEvent[]> = {
  registering: [{ event: 'registering' }],
  registered: [{ event: 'registered' }],
  registration_failed: [{ event: 'registration_failed', code: 403, reason: 'Forbidden' }],
  unregistering: [{ event: 'unregistering' }],
  unregistered: [{ event: 'unregistered' }],
  error: [
    { event: 'error', code: 490, reason: 'Unknown error' },
    { event: 'error', transaction: 'transaction-13', line: 0, code: 440, reason: 'No message' },
    { event: 'error', line: 0, call_id: callId, code: 465, reason: 'Invalid SDP' },
  ],
  ice_webrtcup: [{ event: 'ice_webrtcup', line: 0 }],
  ice_media: [{ event: 'ice_media', line: 0, type: 'audio', media: 'audio', receiving: true, mid: '0' }],
  ice_slowlink: [
    { event: 'ice_slowlink', line: 0, uplink: true, lost: 10, type: 'audio', media: 'audio', mid: '0' },
  ],
  ice_hangup: [
    { event: 'ice_hangup', line: 0, reason: 'DTLS alert' },
    { event: 'ice_hangup', line: null },
  ],
  ice_trickle: [{ event: 'ice_trickle', line: 0, candidate: { completed: true } }],
  transfer: [
    { event: 'transfer', line: 0, refer_id: '123', refer_to: '007', referred_by: '001' },
    { event: 'transfer', line: 1, refer_id: '124', refer_to: '008', replace_call_id: 'consult-call' },
  ],
  incoming_call: [
    {
      event: 'incoming_call',
      line: 0,
      call_id: '8f2a@carrier.example',
      callee: '0987654321',
      caller: '1234567890',
      caller_display_name: 'Test User',
      jsep: offer,
    },
    {
      event: 'incoming_call',
      line: 1,
      call_id: 'x',
      callee: '1',
      caller: '2',
      is_focus: false,
      referred_by: '3',
    },
  ],
  missed_call: [
    { event: 'missed_call', line: 0, call_id: 'y', callee: '1', caller: '2', caller_display_name: 'Z' },
  ],
  calling: [{ event: 'calling', transaction: 'transaction-1', line: 0, call_id: callId }],
  ringing: [{ event: 'ringing', line: 0, call_id: callId }],
  proceeding: [{ event: 'proceeding', line: 0, call_id: callId, code: 180 }],
  progress: [{ event: 'progress', line: 0, call_id: callId, callee: '380441234567', jsep: answer }],
  accepting: [{ event: 'accepting', transaction: 'transaction-4', line: 0, call_id: callId }],
  accepted: [
    { event: 'accepted', line: 0, call_id: callId, callee: '380441234567', jsep: answer },
    { event: 'accepted', transaction: 'transaction-4', line: 0, call_id: callId },
  ],
  updating_call: [
    { event: 'updating_call', line: 0, call_id: callId, callee: '1', caller: '2', jsep: offer },
  ],
  updating: [{ event: 'updating', line: 0, call_id: callId }],
  updated: [{ event: 'updated', line: 0, call_id: callId }],
  holding: [{ event: 'holding', line: 0, call_id: callId }],
  resuming: [{ event: 'resuming', line: 0, call_id: callId }],
  hangingup: [{ event: 'hangingup', transaction: 'transaction-8', line: 2, call_id: callId }],
  declining: [
    { event: 'declining', line: 0, call_id: callId, code: 486 },
    { event: 'declining', line: 0, call_id: callId, code: 603, refer_id: 17 },
  ],
  transferring: [{ event: 'transferring', line: 0, call_id: callId }],
  notify: [
    {
      event: 'notify',
      line: 0,
      call_id: callId,
      notify: 'refer',
      subscription_state: 'active',
      content_type: 'message/sipfrag',
      content: 'SIP/2.0 100 Trying\r\n',
    },
  ],
  hangup: [{ event: 'hangup', line: 0, call_id: callId, code: 200, reason: 'Session Terminated' }],
};

export const stateSamples: StateHandshake[] = [
  {
    handshake: 'state',
    keepalive_interval: 30000,
    timestamp: 1662114679648,
    registration: { status: 'registered' },
    lines: [null, null],
  },
  {
    // A resumed incoming call: newest entry first, as the Flutter app reads it.
    handshake: 'state',
    keepalive_interval: 25000,
    timestamp: 1662114679648,
    registration: { status: 'registration_failed', code: 503, reason: 'Service Unavailable' },
    lines: [
      {
        call_id: '8f2a@carrier.example',
        call_logs: [
          [1662114480100, { event: 'accepted', transaction: 'transaction-4', callee: '0987654321' }],
          [1662114480000, { event: 'accepting', transaction: 'transaction-4' }],
          [1662114479990, { response: 'ack', transaction: 'transaction-4' }],
          [1662114479980, { request: 'accept', transaction: 'transaction-4', jsep: answer }],
          [
            1662114479751,
            { event: 'incoming_call', callee: '0987654321', caller: '1234567890', jsep: offer },
          ],
        ],
      },
      null,
    ],
    guest_line: {
      call_id: callId,
      call_logs: [
        [
          1662114479000,
          { response: 'error', transaction: 'transaction-2', code: 465, reason: 'Invalid SDP' },
        ],
        [1662114478000, { event: 'error', code: 465, reason: 'Invalid SDP' }],
      ],
    },
  },
];
