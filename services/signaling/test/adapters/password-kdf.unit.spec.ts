import { describe, expect, it } from 'vitest';
import { hashPassword, PasswordVerifier, verifyPassword } from '../../src/adapters/crypto/password-kdf.js';
import { DEFAULT_SCRYPT_COST } from '../../src/adapters/crypto/password-kdf.js';

// Cheap parameters for the behaviour; the default's strength is asserted on its own.
const cheap = { logN: 10, r: 8, p: 1 };

describe('password hashing (scrypt)', () => {
  it('verifies the password it hashed and nothing else; each hash has its own salt', async () => {
    const first = await hashPassword('correct horse', cheap);
    const second = await hashPassword('correct horse', cheap);
    expect(first).not.toBe(second);
    expect(first).toMatch(/^scrypt\$10\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('correct horse', first)).toBe(true);
    expect(await verifyPassword('correct horse', second)).toBe(true);
    expect(await verifyPassword('correct hors', first)).toBe(false);
    expect(await verifyPassword('', first)).toBe(false);
  });

  it('a malformed stored hash matches nothing', async () => {
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$40$8$1$AAAA$BBBB')).toBe(false);
  });

  it('the default cost is at least OWASP’s (N·r·p ≥ 2^17·8·1)', () => {
    const { logN, r, p } = DEFAULT_SCRYPT_COST;
    expect(2 ** logN * r * p).toBeGreaterThanOrEqual(2 ** 17 * 8);
  });

  it('an unknown login takes about as long as a wrong password (a decoy hash of the same cost)', async () => {
    const cost = { logN: 12, r: 8, p: 4 };
    const verifier = new PasswordVerifier(cost);
    const stored = await hashPassword('right', cost);
    await verifier.verify('warm-up', undefined);
    const timed = async (stored: string | undefined) => {
      const started = performance.now();
      for (let i = 0; i < 5; i += 1) await verifier.verify('wrong', stored);
      return performance.now() - started;
    };
    const known = await timed(stored);
    const unknown = await timed(undefined);
    // Without the decoy, an unknown login would answer in microseconds.
    expect(unknown).toBeGreaterThan(known * 0.4);
    expect(known).toBeGreaterThan(unknown * 0.4);
  });

  it('an unknown login never verifies', async () => {
    const verifier = new PasswordVerifier(cheap);
    expect(await verifier.verify('anything', undefined)).toBe(false);
    const stored = await hashPassword('pw', cheap);
    expect(await verifier.verify('pw', stored)).toBe(true);
  });
});
