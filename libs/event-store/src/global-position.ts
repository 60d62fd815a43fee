/**
 * Where an event sits in the store's one global order.
 *
 * PostgreSQL cannot hand out a gap-free, commit-ordered number without serialising every writer, so the
 * order is the pair (commit group, sequence): the commit group is the writing transaction's id, and a
 * reader only ever reads groups that no running transaction can still add to. The pair is encoded as
 * two zero-padded 20-digit decimals joined by a dot, so positions compare correctly as plain strings,
 * survive JSON and NATS headers, and can be stored as checkpoints without a codec.
 */
export type GlobalPosition = string & { readonly __brand: 'GlobalPosition' };

const DIGITS = 20;
const POSITION_PATTERN = /^\d{20}\.\d{20}$/;

export const GLOBAL_POSITION_START = globalPositionOf(0n, 0n);

export function globalPositionOf(commitGroup: bigint, sequence: bigint): GlobalPosition {
  if (commitGroup < 0n || sequence < 0n) throw new RangeError('global position parts must not be negative');
  return `${commitGroup.toString().padStart(DIGITS, '0')}.${sequence.toString().padStart(DIGITS, '0')}` as GlobalPosition;
}

/** `globalPositionOf` for parts that arrive as decimal strings (PostgreSQL's xid8 and bigint), without BigInt. */
export function globalPositionOfDecimals(commitGroup: string, sequence: string): GlobalPosition {
  return `${commitGroup.padStart(DIGITS, '0')}.${sequence.padStart(DIGITS, '0')}` as GlobalPosition;
}

export function isGlobalPosition(value: string): value is GlobalPosition {
  return POSITION_PATTERN.test(value);
}

export function parseGlobalPosition(value: string): { commitGroup: bigint; sequence: bigint } {
  if (!isGlobalPosition(value)) throw new RangeError(`not a global position: ${JSON.stringify(value)}`);
  const [group, sequence] = value.split('.') as [string, string];
  return { commitGroup: BigInt(group), sequence: BigInt(sequence) };
}

export function compareGlobalPositions(a: GlobalPosition, b: GlobalPosition): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
