import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import { PushCredentialsError } from '../app/errors.js';

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/**
 * A compact JWS: RS256 (RSA PKCS#1 v1.5 with SHA-256, the Google service-account flow) or ES256 (ECDSA
 * P-256 with SHA-256, raw r||s signature as JOSE wants it, APNs provider tokens).
 */
export function signJwt(
  algorithm: 'RS256' | 'ES256',
  key: KeyObject,
  header: Record<string, string>,
  claims: Record<string, string | number>,
): string {
  const input = `${base64url(JSON.stringify({ alg: algorithm, ...header }))}.${base64url(JSON.stringify(claims))}`;
  const signature =
    algorithm === 'RS256'
      ? sign('sha256', Buffer.from(input), key)
      : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${base64url(signature)}`;
}

/** Reads a PEM private key of the expected type; the error names `what`, never the key. */
export function privateKeyFromPem(pem: string, expected: 'rsa' | 'ec', what: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (cause) {
    throw new PushCredentialsError(`${what} is not a PEM private key`, { cause });
  }
  if (key.asymmetricKeyType !== expected) {
    throw new PushCredentialsError(
      `${what} is a ${key.asymmetricKeyType ?? 'unknown'} key, expected ${expected}`,
    );
  }
  if (expected === 'ec' && key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new PushCredentialsError(`${what} must be a P-256 key (APNs signs with ES256)`);
  }
  return key;
}
