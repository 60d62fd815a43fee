import { readFileSync } from 'node:fs';
import { PushCredentialsError } from '../app/errors.js';
import { type PushProvider } from '../app/ports.js';
import { type PushProviderName } from '../domain/push-token.js';
import { type PushConfig } from '../config.js';
import { ApnsProviderToken } from './apns/apns-provider-token.js';
import { ApnsSender } from './apns/apns-sender.js';
import { FcmAccessTokens, GOOGLE_TOKEN_URL, parseServiceAccount } from './fcm/fcm-access-token.js';
import { FcmSender } from './fcm/fcm-sender.js';
import { privateKeyFromPem } from './jwt.js';

function readSecretFile(path: string, variable: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new PushCredentialsError(`${variable}: cannot read the file it names`, { cause });
  }
}

function withVariable<T>(variable: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof PushCredentialsError) {
      throw new PushCredentialsError(`${variable}: ${error.message}`, { cause: error.cause });
    }
    throw error;
  }
}

export interface ConfiguredPushProviders {
  readonly providers: Partial<Record<PushProviderName, PushProvider>>;
  close(): Promise<void>;
}

/**
 * The providers the configuration enables: FCM with a service account, APNs with a key. Credentials are
 * read and checked here, at start; a provider without credentials is left out (its tokens are not pushed).
 */
export function pushProvidersFrom(config: PushConfig): ConfiguredPushProviders {
  const providers: Partial<Record<PushProviderName, PushProvider>> = {};
  const ttlSeconds = config.PUSH_MAX_CALL_AGE_SECONDS;
  const requestTimeoutMs = config.PUSH_REQUEST_TIMEOUT_MS;

  const accountVariable =
    config.FCM_SERVICE_ACCOUNT_FILE !== undefined ? 'FCM_SERVICE_ACCOUNT_FILE' : 'FCM_SERVICE_ACCOUNT_JSON';
  const accountJson =
    config.FCM_SERVICE_ACCOUNT_FILE !== undefined
      ? readSecretFile(config.FCM_SERVICE_ACCOUNT_FILE, accountVariable)
      : config.FCM_SERVICE_ACCOUNT_JSON;
  if (accountJson !== undefined) {
    const account = withVariable(accountVariable, () => parseServiceAccount(accountJson));
    const tokenUrl = config.FCM_TOKEN_URL ?? account.tokenUri ?? GOOGLE_TOKEN_URL;
    providers.fcm = new FcmSender(new FcmAccessTokens(account, tokenUrl), {
      baseUrl: config.FCM_BASE_URL,
      projectId: config.FCM_PROJECT_ID ?? account.projectId,
      ttlSeconds,
      requestTimeoutMs,
    });
  }

  let apns: ApnsSender | undefined;
  const keyVariable = config.APNS_KEY_FILE !== undefined ? 'APNS_KEY_FILE' : 'APNS_KEY';
  const keyPem =
    config.APNS_KEY_FILE !== undefined ? readSecretFile(config.APNS_KEY_FILE, keyVariable) : config.APNS_KEY;
  if (
    keyPem !== undefined &&
    config.APNS_KEY_ID !== undefined &&
    config.APNS_TEAM_ID !== undefined &&
    config.APNS_BUNDLE_ID !== undefined
  ) {
    // An inline key often arrives with its line breaks escaped (`\n`) by a secret store.
    const key = withVariable(keyVariable, () =>
      privateKeyFromPem(keyPem.replace(/\\n/g, '\n'), 'ec', 'the APNs key'),
    );
    apns = new ApnsSender(new ApnsProviderToken(key, config.APNS_KEY_ID, config.APNS_TEAM_ID), {
      origin: config.APNS_ORIGIN,
      defaultBundleId: config.APNS_BUNDLE_ID,
      ttlSeconds,
      requestTimeoutMs,
      ...(config.APNS_CA_FILE === undefined
        ? {}
        : { ca: readSecretFile(config.APNS_CA_FILE, 'APNS_CA_FILE') }),
    });
    providers.apns = apns;
  }
  return { providers, close: async () => apns?.close() };
}
