import { generateKeyPairSync, type KeyObject, verify } from 'node:crypto';

/** A throwaway Google service account (RSA key) and APNs auth key (P-256), made for one test run. */
export interface TestCredentials {
  readonly serviceAccountJson: string;
  readonly serviceAccountPublicKey: KeyObject;
  readonly clientEmail: string;
  readonly apnsKeyPem: string;
  readonly apnsPublicKey: KeyObject;
  readonly apnsKeyId: string;
  readonly apnsTeamId: string;
}

export function makeTestCredentials(projectId: string, tokenUri: string): TestCredentials {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const clientEmail = `push@${projectId}.iam.gserviceaccount.com`;
  return {
    serviceAccountJson: JSON.stringify({
      type: 'service_account',
      project_id: projectId,
      private_key_id: 'test-key-1',
      private_key: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }),
      client_email: clientEmail,
      token_uri: tokenUri,
    }),
    serviceAccountPublicKey: rsa.publicKey,
    clientEmail,
    apnsKeyPem: String(ec.privateKey.export({ type: 'pkcs8', format: 'pem' })),
    apnsPublicKey: ec.publicKey,
    apnsKeyId: 'ABC123DEFG',
    apnsTeamId: 'TEAM123456',
  };
}

export interface VerifiedJwt {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
}

/** Checks a compact JWS as a provider would: algorithm, signature by `key`; throws with the reason. */
export function verifyJwt(jwt: string, key: KeyObject, algorithm: 'RS256' | 'ES256'): VerifiedJwt {
  const parts = jwt.split('.');
  if (parts.length !== 3) throw new Error('not a compact JWS');
  const [headerPart, claimsPart, signaturePart] = parts as [string, string, string];
  const header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as Record<string, unknown>;
  const claims = JSON.parse(Buffer.from(claimsPart, 'base64url').toString('utf8')) as Record<string, unknown>;
  if (header['alg'] !== algorithm) throw new Error(`alg ${String(header['alg'])}, expected ${algorithm}`);
  const signature = Buffer.from(signaturePart, 'base64url');
  const input = Buffer.from(`${headerPart}.${claimsPart}`);
  const valid =
    algorithm === 'RS256'
      ? verify('sha256', input, key, signature)
      : verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, signature);
  if (!valid) throw new Error('bad signature');
  return { header, claims };
}
