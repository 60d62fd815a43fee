import { type Kysely } from 'kysely';
import type pg from 'pg';
import { type SignInCredentials } from '../../app/ports.js';
import { type SignInFailures } from '../../domain/sign-in-lockout.js';
import { hashPassword, type ScryptCost } from '../crypto/password-kdf.js';
import { signalingDatabase, type SignalingDb } from './signaling-schema.js';

/** `signaling_credential` and `signaling_signin_failure`. */
export class PostgresSignInCredentials implements SignInCredentials {
  constructor(private readonly db: Kysely<SignalingDb>) {}

  async findLogin(
    tenant: string,
    login: string,
  ): Promise<{ readonly userId: string; readonly passwordHash: string } | undefined> {
    const row = await this.db
      .selectFrom('signaling_credential')
      .select(['user_id', 'password_hash'])
      .where('tenant', '=', tenant)
      .where('login', '=', login)
      .executeTakeFirst();
    return row === undefined ? undefined : { userId: row.user_id, passwordHash: row.password_hash };
  }

  async failuresOf(tenant: string, login: string): Promise<SignInFailures | undefined> {
    const row = await this.db
      .selectFrom('signaling_signin_failure')
      .select(['failures', 'first_failed_at', 'locked_until'])
      .where('tenant', '=', tenant)
      .where('login', '=', login)
      .executeTakeFirst();
    return row === undefined
      ? undefined
      : { failures: row.failures, firstFailedAt: row.first_failed_at, lockedUntil: row.locked_until };
  }

  /** Row-locked read-modify-write, so concurrent wrong passwords on several instances all count. */
  recordFailure(
    tenant: string,
    login: string,
    next: (current: SignInFailures | undefined) => SignInFailures,
  ): Promise<SignInFailures> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('signaling_signin_failure')
        .select(['failures', 'first_failed_at', 'locked_until'])
        .where('tenant', '=', tenant)
        .where('login', '=', login)
        .forUpdate()
        .executeTakeFirst();
      const current =
        row === undefined
          ? undefined
          : { failures: row.failures, firstFailedAt: row.first_failed_at, lockedUntil: row.locked_until };
      const updated = next(current);
      const values = {
        failures: updated.failures,
        first_failed_at: updated.firstFailedAt,
        locked_until: updated.lockedUntil,
      };
      // Two first failures racing: the loser's insert becomes an update of the winner's row.
      await trx
        .insertInto('signaling_signin_failure')
        .values({ tenant, login, ...values })
        .onConflict((conflict) =>
          conflict
            .columns(['tenant', 'login'])
            .doUpdateSet(
              row === undefined
                ? (eb) => ({ failures: eb('signaling_signin_failure.failures', '+', 1) })
                : values,
            ),
        )
        .execute();
      return updated;
    });
  }

  async clearFailures(tenant: string, login: string): Promise<void> {
    await this.db
      .deleteFrom('signaling_signin_failure')
      .where('tenant', '=', tenant)
      .where('login', '=', login)
      .execute();
  }
}

/** Gives a subscriber a login and password (provisioning, tests); replaces the password of that login. */
export async function setSubscriberPassword(
  pool: pg.Pool,
  credential: { tenant: string; login: string; userId: string; password: string },
  cost?: ScryptCost,
): Promise<void> {
  const passwordHash = await hashPassword(credential.password, cost);
  await signalingDatabase(pool)
    .insertInto('signaling_credential')
    .values({
      tenant: credential.tenant,
      login: credential.login,
      user_id: credential.userId,
      password_hash: passwordHash,
    })
    .onConflict((conflict) =>
      conflict
        .columns(['tenant', 'login'])
        .doUpdateSet({ user_id: credential.userId, password_hash: passwordHash, updated_at: new Date() }),
    )
    .execute();
}
