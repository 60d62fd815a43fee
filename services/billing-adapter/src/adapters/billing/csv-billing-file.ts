import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { type BillingRecordBatch, type BillingSystem } from '../../app/ports.js';
import { parseBillingCsv } from '../../domain/billing-csv.js';

/**
 * Billing records exported to a CSV file (format: docs/billing.md, "Billing records as CSV"). The file
 * holds whatever period it holds: records outside the asked period are left out here; lines that cannot
 * be read are problems naming their line and column.
 */
export class CsvBillingFile implements BillingSystem {
  readonly name: string;

  constructor(private readonly path: string) {
    this.name = `csv ${basename(path)}`;
  }

  async recordsBetween(fromMs: number, toMs: number): Promise<BillingRecordBatch> {
    const text = await readFile(this.path, 'utf8');
    const parsed = parseBillingCsv(text, basename(this.path));
    return {
      records: parsed.records.filter((record) => record.startedAtMs >= fromMs && record.startedAtMs < toMs),
      problems: parsed.problems.map((problem) => ({
        where: `${basename(this.path)} line ${problem.line}${problem.column === '' ? '' : `, column ${problem.column}`}`,
        message: problem.message,
      })),
    };
  }
}
