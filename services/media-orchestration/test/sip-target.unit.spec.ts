import { describe, expect, it } from 'vitest';
import { CalleeNotDialableError } from '../src/domain/errors.js';
import { guestIdentityFor, sipRequestUriFor } from '../src/domain/sip-target.js';

const trunk = 'sip:{number}@trunk.example:5060';

describe('the INVITE request URI for a dialled callee', () => {
  it('puts the number into the trunk template, dropping what people type between digits', () => {
    expect(sipRequestUriFor('+1 (555) 123-4567', trunk)).toBe('sip:+15551234567@trunk.example:5060');
    expect(sipRequestUriFor('1001', trunk)).toBe('sip:1001@trunk.example:5060');
  });

  it('escapes # and keeps *', () => {
    expect(sipRequestUriFor('*21#', trunk)).toBe('sip:*21%23@trunk.example:5060');
  });

  it('takes only the user of a SIP URI: a softphone cannot pick the host its call goes to', () => {
    expect(sipRequestUriFor('sip:bob@10.0.0.9:5062', trunk)).toBe('sip:bob@trunk.example:5060');
    expect(sipRequestUriFor('alice.smith', trunk)).toBe('sip:alice.smith@trunk.example:5060');
  });

  it.each(['', '   ', 'bob@evil.example', 'a;transport=tcp', 'x?Route=<sip:evil>', 'sip:@host'])(
    'refuses %j',
    (callee) => {
      expect(() => sipRequestUriFor(callee, trunk)).toThrow(CalleeNotDialableError);
    },
  );
});

describe('the From identity of a guest line', () => {
  it('uses the caller number, or anonymous when there is none usable', () => {
    expect(guestIdentityFor('+1 555 0100', 'sip:{caller}@ringbus.example')).toBe(
      'sip:+15550100@ringbus.example',
    );
    expect(guestIdentityFor('', 'sip:{caller}@ringbus.example')).toBe('sip:anonymous@ringbus.example');
    expect(guestIdentityFor('a b;c', 'sip:{caller}@ringbus.example')).toBe('sip:anonymous@ringbus.example');
  });
});
