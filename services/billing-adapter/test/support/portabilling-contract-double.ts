import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

/**
 * A contract double of PortaBilling's JSON API: a local HTTP server that answers the methods Ringbus
 * calls in the shapes PortaOne documents (docs/billing.md, "PortaBilling"): `POST /rest/<Service>/<method>`
 * with `{ auth_info: { session_id }, params }`, faults as HTTP 500 `{ faultcode, faultstring }`. It is
 * not PortaBilling: it holds a few accounts and xDRs, and can be told to fail in the ways the adapter
 * must survive (a 503, a slow answer, an expired session).
 */
export interface DoubleXdr {
  readonly i_xdr: number;
  readonly i_account: number;
  readonly call_id?: string;
  readonly h323_conf_id?: string;
  readonly connect_time: string;
  readonly used_quantity: number;
  readonly charged_quantity: number;
  readonly disconnect_cause: string;
}

export interface DoubleAccount {
  readonly i_account: number;
  readonly i_customer: number;
  readonly id: string;
  readonly h323_password: string;
}

export interface ReceivedCall {
  readonly path: string;
  readonly sessionId: string | undefined;
  readonly params: Record<string, unknown>;
}

export class PortaBillingContractDouble {
  readonly calls: ReceivedCall[] = [];
  /** Answers the next N requests with HTTP 503. */
  unavailableFor = 0;
  /** Delays the next N answers by `slowMs`. */
  slowFor = 0;
  slowMs = 0;
  private sessions = new Set<string>();
  private nextSession = 1;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly login: { readonly login: string; readonly password: string },
    private readonly accounts: readonly DoubleAccount[],
    private readonly xdrs: readonly DoubleXdr[],
  ) {}

  static async start(options: {
    readonly login: string;
    readonly password: string;
    readonly accounts: readonly DoubleAccount[];
    readonly xdrs: readonly DoubleXdr[];
  }): Promise<PortaBillingContractDouble> {
    const started: { double?: PortaBillingContractDouble } = {};
    const server = createServer((request, response) => {
      void started.double?.handle(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const double = new PortaBillingContractDouble(
      server,
      `http://127.0.0.1:${port}`,
      options,
      options.accounts,
      options.xdrs,
    );
    started.double = double;
    return double;
  }

  /** Forgets every session, as PortaBilling does when one expires. */
  expireSessions(): void {
    this.sessions = new Set();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const fault = (faultcode: string, faultstring: string) => reply(500, { faultcode, faultstring });
    if (this.unavailableFor > 0) {
      this.unavailableFor -= 1;
      response.writeHead(503).end('busy');
      return;
    }
    if (this.slowFor > 0) {
      this.slowFor -= 1;
      await new Promise((resolve) => setTimeout(resolve, this.slowMs));
      if (response.destroyed) return;
    }
    let body: { auth_info?: { session_id?: string }; params?: Record<string, unknown> };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      fault('Client.request.invalid_json', 'request body is not JSON');
      return;
    }
    const params = body.params ?? {};
    const sessionId = body.auth_info?.session_id;
    const path = request.url ?? '';
    this.calls.push({ path, sessionId, params });
    if (request.method !== 'POST') return fault('Client.request.method', 'POST only');
    if (path === '/rest/Session/login') {
      if (params['login'] !== this.login.login || params['password'] !== this.login.password) {
        return fault('Server.Session.cannot_login', 'Cannot login: wrong login or password');
      }
      const session = `session-${this.nextSession++}`;
      this.sessions.add(session);
      return reply(200, {
        session_id: session,
        access_token: `token-${session}`,
        expires_at: '2099-01-01 00:00:00',
      });
    }
    if (sessionId === undefined || !this.sessions.has(sessionId)) {
      return fault('Server.Session.check_auth.auth_failed', 'Session is not valid or has expired');
    }
    if (path === '/rest/Account/get_account_info') {
      const account = this.accounts.find(
        (each) => each.id === params['id'] || each.i_account === params['i_account'],
      );
      return reply(200, account === undefined ? {} : { account_info: account });
    }
    if (path === '/rest/Account/get_xdr_list' || path === '/rest/Customer/get_xdr_list') {
      const from = String(params['from_date'] ?? '');
      const to = String(params['to_date'] ?? '');
      const limit = Number(params['limit'] ?? 50);
      const offset = Number(params['offset'] ?? 0);
      const iAccounts =
        path === '/rest/Account/get_xdr_list'
          ? [Number(params['i_account'])]
          : this.accounts
              .filter((each) => each.i_customer === Number(params['i_customer']))
              .map((each) => each.i_account);
      const matching = this.xdrs.filter(
        (xdr) =>
          iAccounts.includes(xdr.i_account) &&
          xdr.connect_time >= from &&
          xdr.connect_time < to &&
          (params['show_unsuccessful'] === 1 || xdr.used_quantity > 0),
      );
      return reply(200, { xdr_list: matching.slice(offset, offset + limit) });
    }
    return fault('Client.request.unknown_method', `no method ${path}`);
  }
}
