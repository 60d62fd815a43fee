import type pg from 'pg';
import { isGlobalPosition, type GlobalPosition } from '@ringbus/event-store';
import { CheckpointUnavailableError } from './errors.js';
import { type RelayCheckpoint } from './relay-checkpoint.js';

const TABLE = 'event_relay_checkpoint';

// Positions compare as plain strings; collation "C" keeps PostgreSQL's comparison byte-wise like ours.
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS ${TABLE} (
  relay_name text PRIMARY KEY,
  position text COLLATE "C" NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
)`;

// Two relays creating the table at the same moment: the loser sees one of these, and the table exists.
const ALREADY_CREATED_CODES = new Set(['23505', '42P07']);
// undefined_table: the table vanished under a running relay (database restored, schema re-created).
const UNDEFINED_TABLE = '42P01';

/** Creates the checkpoint table in the pool's schema (its `search_path`) if it is not there yet. */
export async function migratePostgresRelayCheckpoint(pool: pg.Pool): Promise<void> {
  try {
    await pool.query(CREATE_TABLE);
  } catch (error) {
    if (ALREADY_CREATED_CODES.has((error as { code?: string }).code ?? '')) return;
    throw new CheckpointUnavailableError('*', 'migrate', { cause: error });
  }
}

export function createPostgresRelayCheckpoint(pool: pg.Pool, relayName: string): RelayCheckpoint {
  let migrated: Promise<void> | undefined;
  const ensureTable = (): Promise<void> => {
    migrated ??= migratePostgresRelayCheckpoint(pool).catch((error: unknown) => {
      migrated = undefined;
      throw error;
    });
    return migrated;
  };
  const unavailable = (operation: 'load' | 'save', error: unknown): CheckpointUnavailableError => {
    // Create the table again on the next call instead of failing forever.
    if ((error as { code?: string }).code === UNDEFINED_TABLE) migrated = undefined;
    return new CheckpointUnavailableError(relayName, operation, { cause: error });
  };

  return {
    relayName,
    async load() {
      await ensureTable();
      let rows: { position: string }[];
      try {
        ({ rows } = await pool.query<{ position: string }>(
          `SELECT position FROM ${TABLE} WHERE relay_name = $1`,
          [relayName],
        ));
      } catch (error) {
        throw unavailable('load', error);
      }
      const position = rows[0]?.position;
      if (position === undefined) return undefined;
      if (!isGlobalPosition(position)) {
        throw new CheckpointUnavailableError(relayName, 'load', {
          cause: new RangeError(`stored checkpoint ${JSON.stringify(position)} is not a global position`),
        });
      }
      return position;
    },
    async save(position: GlobalPosition) {
      await ensureTable();
      try {
        await pool.query(
          `INSERT INTO ${TABLE} (relay_name, position) VALUES ($1, $2)
           ON CONFLICT (relay_name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()
           WHERE ${TABLE}.position < EXCLUDED.position`,
          [relayName, position],
        );
      } catch (error) {
        throw unavailable('save', error);
      }
    },
  };
}
