import { printTable, writeResultsFile } from '../shared/report.js';

export interface Measurement {
  readonly suite: string;
  readonly store: string;
  readonly operation: string;
  readonly writers: number;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** Our events/s over the peer's for the same operation and writers; null for the peer and for reads. */
  readonly ratioVsPeer: number | null;
}

export function printMeasurements(measurements: readonly Measurement[]): void {
  const header = ['suite', 'writers', 'events', 'seconds', 'events/s', 'ratio vs peer'];
  const rows = measurements.map((m) => [
    m.suite,
    String(m.writers),
    String(m.events),
    m.seconds.toFixed(2),
    Math.round(m.eventsPerSecond).toLocaleString('en-US'),
    m.ratioVsPeer === null ? '' : `${m.ratioVsPeer.toFixed(2)}x`,
  ]);
  printTable(header, rows);
}

/** Writes bench/results/event-store.json: headline numbers first, then every measurement. */
export async function writeResults(
  measurements: readonly Measurement[],
  context: { quick: boolean; loadAverage: number[]; cpus: number },
): Promise<string> {
  const find = (store: string, operation: string, writers: number) =>
    measurements.find((m) => m.store === store && m.operation === operation && m.writers === writers);
  const ours = find('ringbus', 'append event-by-event', 8);
  const peer = find('emmett', 'append event-by-event', 8);
  const read = measurements.find((m) => m.operation === 'read-all');
  const result = {
    bench: 'event-store',
    measured_at: new Date().toISOString(),
    quick: context.quick,
    cpus: context.cpus,
    load_average_after: context.loadAverage,
    append_events_per_s: ours?.eventsPerSecond ?? null,
    peer: '@event-driven-io/emmett-postgresql',
    peer_append_events_per_s: peer?.eventsPerSecond ?? null,
    append_ratio_vs_peer: ours && peer ? ours.eventsPerSecond / peer.eventsPerSecond : null,
    read_all_events_per_s: read?.eventsPerSecond ?? null,
    by_writer_count: Object.fromEntries(
      [...new Set(measurements.filter((m) => m.operation !== 'read-all').map((m) => m.writers))].map(
        (writers) => [
          String(writers),
          Object.fromEntries(
            measurements
              .filter((m) => m.writers === writers && m.operation !== 'read-all')
              .map((m) => [
                `${m.store} ${m.operation}`,
                {
                  events: m.events,
                  seconds: m.seconds,
                  events_per_s: m.eventsPerSecond,
                  ratio_vs_peer: m.ratioVsPeer,
                },
              ]),
          ),
        ],
      ),
    ),
    measurements,
  };
  return writeResultsFile('event-store', result);
}
