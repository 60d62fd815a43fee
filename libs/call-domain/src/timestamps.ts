import { create } from '@bufbuild/protobuf';
import { TimestampSchema, type Timestamp } from '@bufbuild/protobuf/wkt';

export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  if (a.seconds !== b.seconds) return a.seconds < b.seconds ? -1 : 1;
  return Math.sign(a.nanos - b.nanos);
}

/**
 * The later of two instants, as a fresh message: state and events never share a Timestamp object with
 * a caller's command, so mutating the command afterwards cannot rewrite history.
 */
export function laterOf(a: Timestamp, b: Timestamp): Timestamp {
  return copyOf(compareTimestamps(a, b) >= 0 ? a : b);
}

export function copyOf(t: Timestamp): Timestamp {
  return create(TimestampSchema, { seconds: t.seconds, nanos: t.nanos });
}

export const EPOCH: Timestamp = create(TimestampSchema, {});
