import { type SipAccountConfig } from '../../config.js';
import { guestIdentityFor } from '../../domain/sip-target.js';
import { type SipAccount, type SipAccountDirectory, type SipLineRequest } from '../../app/ports.js';

/**
 * SIP identities from configuration: a user listed in SIP_ACCOUNTS calls as that account (with digest
 * credentials when given); anyone else calls as a guest whose From is SIP_GUEST_URI with their number.
 * Stands in for the subscriber-data service, which will answer the same port.
 */
export class ConfiguredSipAccounts implements SipAccountDirectory {
  constructor(
    private readonly accounts: Readonly<Record<string, SipAccountConfig>>,
    private readonly guestUriTemplate: string,
  ) {}

  accountFor(request: SipLineRequest): Promise<SipAccount> {
    const configured = Object.hasOwn(this.accounts, request.userId)
      ? this.accounts[request.userId]
      : undefined;
    if (configured === undefined) {
      return Promise.resolve({
        identity: guestIdentityFor(request.caller, this.guestUriTemplate),
        displayName: undefined,
        credentials: undefined,
      });
    }
    const { identity, displayName, authUser, secret } = configured;
    return Promise.resolve({
      identity,
      displayName,
      credentials: secret === undefined ? undefined : { authUser: authUser ?? userPartOf(identity), secret },
    });
  }
}

function userPartOf(identity: string): string {
  const match = /^sips?:([^@]+)@/i.exec(identity);
  return match?.[1] ?? identity;
}
