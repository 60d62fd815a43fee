import { describe, expect, it } from 'vitest';
import { parseSippMessageTrace } from '../src/index.js';

// The layout sipp 3.6 writes with -trace_msg: a dashed line with a timestamp, a heading, a blank line, then
// the message with CRLF line ends.
const crlf = (lines: readonly string[]): string => lines.map((line) => `${line}\r\n`).join('');
const TRACE = [
  '----------------------------------------------- 2026-11-25 08:49:37.621659\n',
  'UDP message received [506] bytes :\n\n',
  crlf([
    'INVITE sip:bob@127.0.0.1:5080 SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.1:5081;branch=z9hG4bK-1',
    'f: <sip:alice@127.0.0.1>;tag=a1',
    'To: <sip:bob@127.0.0.1>',
    'i: rb-0191-call',
    'CSeq: 20 INVITE',
    'Subject: a subject folded',
    '  over two lines',
    'c: application/sdp',
    'Content-Length: 40',
    '',
    'v=0',
    'm=audio 20100 RTP/AVP 0',
  ]),
  '\n',
  '----------------------------------------------- 2026-11-25 08:49:37.622838\n',
  'UDP message sent (470 bytes):\n\n',
  crlf([
    'SIP/2.0 486 Busy Here',
    'Via: SIP/2.0/UDP 127.0.0.1:5081;branch=z9hG4bK-1',
    'Via: SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-0',
    'Call-ID: rb-0191-call',
    'CSeq: 20 INVITE',
    'Content-Length: 0',
    '',
  ]),
  '\n',
].join('');

describe('parseSippMessageTrace', () => {
  it('reads requests and responses in file order, with direction, Call-ID, CSeq and body', () => {
    const [invite, busy, ...rest] = parseSippMessageTrace(TRACE);
    expect(rest).toEqual([]);
    expect(invite).toMatchObject({
      direction: 'received',
      loggedAt: '2026-11-25 08:49:37.621659',
      method: 'INVITE',
      requestUri: 'sip:bob@127.0.0.1:5080',
      status: undefined,
      callId: 'rb-0191-call',
      cseq: { number: 20, method: 'INVITE' },
      body: 'v=0\nm=audio 20100 RTP/AVP 0\n',
    });
    expect(busy).toMatchObject({
      direction: 'sent',
      method: undefined,
      status: 486,
      reason: 'Busy Here',
      callId: 'rb-0191-call',
      body: '',
    });
  });

  it('expands compact header names, unfolds continuation lines and keeps repeated headers in order', () => {
    const [invite, busy] = parseSippMessageTrace(TRACE);
    expect(invite?.headers['from']).toEqual(['<sip:alice@127.0.0.1>;tag=a1']);
    expect(invite?.headers['content-type']).toEqual(['application/sdp']);
    expect(invite?.headers['subject']).toEqual(['a subject folded over two lines']);
    expect(busy?.headers['via']).toEqual([
      'SIP/2.0/UDP 127.0.0.1:5081;branch=z9hG4bK-1',
      'SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-0',
    ]);
  });

  it('returns nothing for an empty or still unwritten trace', () => {
    expect(parseSippMessageTrace('')).toEqual([]);
    expect(parseSippMessageTrace('----------------------------------------------- 2026-11-25\n')).toEqual([]);
  });
});
