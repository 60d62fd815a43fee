import { type ReadAllOptions, type ReadStreamOptions } from './event-store.js';
import { GLOBAL_POSITION_START, isGlobalPosition, type GlobalPosition } from './global-position.js';

export interface StreamReadRequest {
  readonly fromVersion: number;
  /** `undefined` reads to the end of the stream. */
  readonly maxCount: number | undefined;
}

export interface AllReadRequest {
  readonly after: GlobalPosition;
  readonly maxCount: number;
}

// Bad read options are a caller's bug, not a store condition: they throw RangeError like any bad argument.

export function toStreamReadRequest(
  streamId: string,
  options: ReadStreamOptions | undefined,
): StreamReadRequest {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new RangeError('stream id must be a non-empty string');
  }
  const fromVersion = options?.fromVersion ?? 1;
  if (!Number.isInteger(fromVersion) || fromVersion < 1) {
    throw new RangeError(`fromVersion must be an integer >= 1, got ${fromVersion}`);
  }
  const maxCount = options?.maxCount;
  if (maxCount !== undefined) checkMaxCount(maxCount);
  return { fromVersion, maxCount };
}

export function toAllReadRequest(options: ReadAllOptions): AllReadRequest {
  const after = options.after ?? GLOBAL_POSITION_START;
  if (!isGlobalPosition(after))
    throw new RangeError(`after is not a global position: ${JSON.stringify(after)}`);
  checkMaxCount(options.maxCount);
  return { after, maxCount: options.maxCount };
}

function checkMaxCount(maxCount: number): void {
  if (!Number.isInteger(maxCount) || maxCount < 1) {
    throw new RangeError(`maxCount must be an integer >= 1, got ${maxCount}`);
  }
}
