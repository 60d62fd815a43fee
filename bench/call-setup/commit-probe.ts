import type pg from 'pg';
import { distribution, nowMs, type Distribution } from './call-samples.js';

const PROBE_INTERVAL_MS = 50;

/**
 * One tiny committed insert every 50 ms on the platform's PostgreSQL while a phase runs. The Ringbus path
 * commits three times before its INVITE (line claim, CallRequested, live-call claim) and once more before
 * media-orchestration takes the next call; the PostgreSQL cluster is shared with whatever else runs on the
 * machine, so a slow commit here explains a slow phase there.
 */
export class CommitProbe {
  private readonly durations: number[] = [];
  private running = false;
  private loop: Promise<void> | undefined;

  private constructor(private readonly pool: pg.Pool) {}

  static async create(pool: pg.Pool): Promise<CommitProbe> {
    await pool.query('create table if not exists bench_commit_probe (at timestamptz not null default now())');
    return new CommitProbe(pool);
  }

  start(): void {
    this.durations.length = 0;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const startedAt = nowMs();
        await this.pool.query('insert into bench_commit_probe default values');
        this.durations.push(nowMs() - startedAt);
        await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
      }
    })();
  }

  async stop(): Promise<Distribution | undefined> {
    this.running = false;
    await this.loop;
    return distribution(this.durations);
  }
}
