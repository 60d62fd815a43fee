import { describe, expect, it } from 'vitest';
import { cdrCopyText } from '../../src/adapters/postgres/cdr-copy-text.js';
import { UNREAD_DATA_FIELDS } from '../../src/adapters/postgres/postgres-call-event-log.js';
import { cdrFromEvents, emptyCdr } from '../../src/domain/cdr-fold.js';
import { SCENARIOS, scenario, storedEventsOf } from '../support/call-scenarios.js';

const CALL_ID = '0192f1c2-7a3b-7c4d-8e5f-0123456789ab';
const plan = { defaultCountryCode: '49' };

describe('what the rebuild leaves in the database', () => {
  it('the fold never reads the data fields the PostgreSQL reader leaves out', () => {
    for (const name of SCENARIOS) {
      const events = storedEventsOf(CALL_ID, scenario(name, CALL_ID));
      const stripped = events.map((event) => ({
        ...event,
        data: Object.fromEntries(
          Object.entries(event.data as object).filter(
            ([field]) => !(UNREAD_DATA_FIELDS as readonly string[]).includes(field),
          ),
        ),
      }));
      expect(cdrFromEvents(stripped, plan)).toEqual(cdrFromEvents(events, plan));
    }
  });
});

describe('COPY text of CDR rows', () => {
  it('escapes backslash, tab, newline and carriage return, and writes NULL as \\N', () => {
    const cdr = { ...emptyCdr(CALL_ID, 'acme'), userId: 'a\\b\tc\nd\re', lastStreamVersion: 1 };
    const fields = cdrCopyText([cdr]).slice(0, -1).split('\t');
    expect(fields).toHaveLength(27);
    expect(fields[3]).toBe('a\\\\b\\tc\\nd\\re');
    expect(fields[4]).toBe('\\N');
    expect(fields[26]).toBe('1');
  });
});
