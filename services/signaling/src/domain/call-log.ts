import { type CallEvent } from '@ringbus/proto';
import { type CallLogEntry } from '@ringbus/softphone-protocol';
import { type CallView } from './call-view.js';
import { eventTimeMs, softphoneRecordFor } from './softphone-call-events.js';

/**
 * A live call's `call_logs` for the state handshake, rebuilt from its stream: every event the softphone
 * would have heard, NEWEST FIRST (the Flutter app reads the first entry as the latest and the last as the
 * earliest, which tells it an incoming call from an outgoing one).
 */
export function callLogFor(events: readonly CallEvent[], view: CallView): CallLogEntry[] {
  const entries: CallLogEntry[] = [];
  for (const event of events) {
    const record = softphoneRecordFor(event, view);
    if (record !== undefined) entries.push([eventTimeMs(event), record]);
  }
  return entries.reverse();
}
