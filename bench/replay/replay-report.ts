import { printTable, writeResultsFile } from '../shared/report.js';

export interface ReplayRow {
  readonly name: string;
  readonly calls: number;
  readonly events: number;
  readonly seconds: number;
  /** events/s over the baseline's; null for the baseline and the generator. */
  readonly ratio: number | null;
}

export function printReplayTable(rows: readonly ReplayRow[]): void {
  const header = ['run', 'calls', 'events', 'seconds', 'events/s', 'calls/s', 'ratio vs naive'];
  const cells = rows.map((row) => [
    row.name,
    row.calls.toLocaleString('en-US'),
    row.events.toLocaleString('en-US'),
    row.seconds.toFixed(2),
    Math.round(row.events / row.seconds).toLocaleString('en-US'),
    Math.round(row.calls / row.seconds).toLocaleString('en-US'),
    row.ratio === null ? '' : `${row.ratio.toFixed(1)}x`,
  ]);
  printTable(header, cells);
}

export async function writeReplayResults(result: {
  quick: boolean;
  calls: number;
  events: number;
  rebuildSeconds: number;
  rebuildEventsPerSecond: number;
  rebuildCallsPerSecond: number;
  naiveEventsPerSecond: number;
  totalSeconds: number;
  rows: readonly ReplayRow[];
}): Promise<string> {
  const json = {
    bench: 'replay',
    measured_at: new Date().toISOString(),
    quick: result.quick,
    cpus: (await import('node:os')).cpus().length,
    calls: result.calls,
    events: result.events,
    rebuild_events_per_s: result.rebuildEventsPerSecond,
    rebuild_calls_per_s: result.rebuildCallsPerSecond,
    rebuild_seconds: result.rebuildSeconds,
    baseline: 'naive projection, one event at a time (the live path without NATS)',
    baseline_events_per_s: result.naiveEventsPerSecond,
    ratio_vs_baseline: result.rebuildEventsPerSecond / result.naiveEventsPerSecond,
    total_seconds: result.totalSeconds,
    runs: result.rows,
  };
  return writeResultsFile('replay', json);
}
