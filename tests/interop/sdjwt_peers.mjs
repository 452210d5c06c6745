// sdjwt_peers.mjs - the npm SD-JWT VC peer (@sd-jwt/sd-jwt-vc over @sd-jwt/core with
// @sd-jwt/crypto-nodejs) and the status-list peer (@sd-jwt/jwt-status-list) behind a small API.
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { ES256, digest, generateSalt } from '@sd-jwt/crypto-nodejs';
import { StatusList, createHeaderAndPayload, getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { b64u, es256Sign, es256Verify, fromB64u } from './lib.mjs';

const pub = (jwk) => ({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y });

// An SDJwtVcInstance. issuerJwk: private JWK to issue, or public JWK to verify; holderJwk:
// private JWK to present (KB-JWT). The KB verifier takes the key from cnf.jwk (RFC 9901 7.3).
// statusList: a compact status-list JWT handed to the peer's status check instead of a fetch.
export async function instance({ issuerJwk, holderJwk, statusListJwt, statusKeyJwk } = {}) {
  const cfg = {
    hasher: digest,
    hashAlg: 'sha-256',
    saltGenerator: generateSalt,
    signAlg: ES256.alg,
    kbSignAlg: ES256.alg,
    kbVerifier: async (data, sig, payload) => {
      const jwk = payload?.cnf?.jwk;
      if (!jwk) return false;
      return es256Verify(jwk, Buffer.from(data), fromB64u(sig));
    },
  };
  if (issuerJwk?.d) cfg.signer = await ES256.getSigner(issuerJwk);
  if (issuerJwk) cfg.verifier = await ES256.getVerifier(pub(issuerJwk));
  if (holderJwk?.d) cfg.kbSigner = await ES256.getSigner(holderJwk);
  if (statusListJwt !== undefined) {
    cfg.statusListFetcher = async () => statusListJwt;
    if (statusKeyJwk) cfg.statusVerifier = await ES256.getVerifier(pub(statusKeyJwk));
  }
  return new SDJwtVcInstance(cfg);
}

// compact JWS with ES256 over node crypto (the peer's status list is signed this way)
export function signJwt(header, payload, jwk) {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  return `${input}.${b64u(es256Sign(jwk, Buffer.from(input)))}`;
}
export function verifyJwt(jwt, jwk) {
  const [h, p, s] = jwt.split('.');
  return es256Verify(jwk, Buffer.from(`${h}.${p}`), fromB64u(s));
}
export function decodeJwtPart(jwt, i) {
  return JSON.parse(Buffer.from(jwt.split('.')[i], 'base64url').toString('utf8'));
}

// draft-ietf-oauth-status-list: a list of `values` (numbers) at `bits` per entry, signed as a
// statuslist+jwt by the peer's createHeaderAndPayload
export function peerStatusListJwt({ values, bits, uri, iss, jwk, ttl, expSeconds = 3600 }) {
  const list = new StatusList(values, bits);
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss, sub: uri, iat: now, exp: now + expSeconds };
  if (ttl) payload.ttl = ttl;
  const { header, payload: p } = createHeaderAndPayload(list, payload, { alg: 'ES256', typ: 'statuslist+jwt' });
  return signJwt(header, p, jwk);
}

export { StatusList, getListFromStatusListJWT, digest };
