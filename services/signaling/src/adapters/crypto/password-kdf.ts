import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** The scrypt work factor: N = 2^logN, block size r, parallelism p. */
export interface ScryptCost {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
}

/**
 * As much work as OWASP's scrypt minimum (N = 2^17, r = 8, p = 1), as N = 2^15, r = 8, p = 4: 32 MiB per
 * hash instead of 128. Node runs scrypt on libuv's thread pool, so at most four run at once.
 */
export const DEFAULT_SCRYPT_COST: ScryptCost = Object.freeze({ logN: 15, r: 8, p: 4 });

const KEY_BYTES = 32;
const SALT_BYTES = 16;
const PREFIX = 'scrypt';

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const N = 2 ** cost.logN;
  const options: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => {
      if (error === null) resolve(key);
      else reject(error);
    });
  });
}

/**
 * A password as stored: `scrypt$<logN>$<r>$<p>$<salt b64url>$<key b64url>`, with 16 random bytes of salt
 * per password. The cost travels with the hash, so raising it later keeps old hashes checkable.
 */
export async function hashPassword(
  password: string,
  cost: ScryptCost = DEFAULT_SCRYPT_COST,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, cost);
  return [PREFIX, cost.logN, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

interface ParsedHash {
  readonly cost: ScryptCost;
  readonly salt: Buffer;
  readonly key: Buffer;
}

function parseHash(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== PREFIX) return undefined;
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![logN, r, p].every((value) => Number.isInteger(value) && value > 0) || logN > 22) return undefined;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const key = Buffer.from(parts[5] ?? '', 'base64url');
  if (salt.length === 0 || key.length !== KEY_BYTES) return undefined;
  return { cost: { logN, r, p }, salt, key };
}

/** True when `password` matches `stored`; compares in constant time. A malformed hash matches nothing. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (parsed === undefined) return false;
  const key = await derive(password, parsed.salt, parsed.cost);
  return timingSafeEqual(key, parsed.key);
}

/**
 * Checks `password` against `stored`, or, for a login that does not exist (`stored` undefined), spends the
 * same work on a decoy hash of the same cost, so the answer takes as long either way.
 */
export class PasswordVerifier {
  private decoy: Promise<string> | undefined;

  constructor(private readonly cost: ScryptCost = DEFAULT_SCRYPT_COST) {}

  async verify(password: string, stored: string | undefined): Promise<boolean> {
    if (stored !== undefined) return verifyPassword(password, stored);
    this.decoy ??= hashPassword(randomBytes(18).toString('base64url'), this.cost);
    await verifyPassword(password, await this.decoy);
    return false;
  }
}
