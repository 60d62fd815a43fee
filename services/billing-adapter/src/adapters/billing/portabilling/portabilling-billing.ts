import { BillingSystemRefusedError } from '../../../app/errors.js';
import {
  type BillingRecordBatch,
  type BillingSourceProblem,
  type BillingSystem,
} from '../../../app/ports.js';
import { type BillingRecord } from '../../../domain/billing-record.js';
import { type PortaBillingClient } from './portabilling-client.js';
import {
  accountOfInfo,
  type PortaBillingAccount,
  PORTABILLING_METHODS,
  readXdrPage,
  type XdrScope,
  xdrPageParams,
} from './portabilling-protocol.js';

export interface PortaBillingScope {
  /** Read the xDRs of this customer (`Customer/get_xdr_list`)... */
  readonly iCustomer?: number;
  /** ...or of these accounts, by account id (`Account/get_account_info`, then `Account/get_xdr_list`). */
  readonly accountIds?: readonly string[];
}

/**
 * PortaBilling as the billing system reconciliation compares with: the xDRs of a customer or of some
 * accounts for the period, page by page (`limit`/`offset`), as billing records.
 */
export class PortaBillingBilling implements BillingSystem {
  readonly name = 'portabilling';

  constructor(
    private readonly client: PortaBillingClient,
    private readonly scope: PortaBillingScope,
    private readonly pageSize = 500,
  ) {}

  /** An account by its id (the SIP user name), with its SIP credentials. */
  async account(id: string): Promise<PortaBillingAccount> {
    const result = await this.client.call(PORTABILLING_METHODS.accountInfo, { id });
    const account = accountOfInfo(result);
    if (account === undefined)
      throw new BillingSystemRefusedError('PortaBilling', 'no account_info', `for account ${id}`);
    return account;
  }

  async recordsBetween(fromMs: number, toMs: number): Promise<BillingRecordBatch> {
    const scopes: XdrScope[] = [];
    if (this.scope.iCustomer !== undefined)
      scopes.push({ kind: 'customer', iCustomer: this.scope.iCustomer });
    for (const id of this.scope.accountIds ?? []) {
      scopes.push({ kind: 'account', iAccount: (await this.account(id)).iAccount });
    }
    const records: BillingRecord[] = [];
    const problems: BillingSourceProblem[] = [];
    for (const scope of scopes) {
      for (let offset = 0; ; offset += this.pageSize) {
        const { method, params } = xdrPageParams(scope, fromMs, toMs, offset, this.pageSize);
        const label = `${method} offset ${offset}`;
        const page = readXdrPage(await this.client.call(method, params), label);
        if (page === undefined) {
          problems.push({ where: `portabilling ${label}`, message: 'the answer has no xdr_list' });
          break;
        }
        records.push(...page.records);
        problems.push(...page.problems);
        if (page.size < this.pageSize) break;
      }
    }
    return { records, problems };
  }
}
