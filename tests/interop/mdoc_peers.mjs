// mdoc_peers.mjs - the npm mdoc peers (@auth0/mdl, @animo-id/mdoc) behind one small API:
// issue a credential, present it as a DeviceResponse, verify a DeviceResponse. Used by
// mdoc.mjs (the interop test) and bench_peers.mjs.
import * as auth0 from '@auth0/mdl';
import * as animo from '@animo-id/mdoc';
import crypto from 'node:crypto';
import { animoContext, rawEcPoint } from './lib.mjs';

export const PEERS = ['auth0', 'animo'];

// ---- SessionTranscript -----------------------------------------------------------------
// ISO 18013-5 9.1.5.1: SessionTranscript = [DeviceEngagementBytes, EReaderKeyBytes, Handover],
// both *Bytes tag-24 wrapped; QR handover is null. Returns the tag-24 SessionTranscriptBytes,
// the form both peers expect, and the reader's ephemeral key (for device MAC).
// Both peers build DeviceAuthentication by decoding this and the DeviceNameSpaces and encoding
// them again (ISO 18013-5 9.1.3.4 embeds them as received); they agree with cardless, which
// uses the bytes as received, only because everything here is in preferred serialization.
export function sessionTranscript() {
  const coseKey = (jwk) =>
    new Map([[1, 2], [-1, 1], [-2, Buffer.from(jwk.x, 'base64url')], [-3, Buffer.from(jwk.y, 'base64url')]]);
  const dev = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rdr = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const devJwk = dev.publicKey.export({ format: 'jwk' });
  const rdrJwk = rdr.publicKey.export({ format: 'jwk' });
  const deviceEngagement = new Map([
    [0, '1.0'],
    [1, [1, animo.DataItem.fromData(coseKey(devJwk))]],
  ]);
  const st = [animo.DataItem.fromData(deviceEngagement), animo.DataItem.fromData(coseKey(rdrJwk)), null];
  const bytes = animo.cborEncode(animo.DataItem.fromData(st));
  return {
    bytes: new Uint8Array(bytes),
    readerPrivatePem: rdr.privateKey.export({ format: 'pem', type: 'pkcs8' }),
    readerPrivateJwk: rdr.privateKey.export({ format: 'jwk' }),
    readerPublicJwk: rdrJwk,
    readerPublicCose: new Uint8Array(animo.cborEncode(coseKey(rdrJwk))),
  };
}

// ---- issuing -----------------------------------------------------------------------------
// claims: {namespace: {element: value}}; full-dates as "YYYY-MM-DD" strings (the peers type
// the mDL date elements themselves), byte strings as Uint8Array.
export async function issue(peer, { docType, claims, dsJwk, dsCertPem, devicePubJwk, validity }) {
  if (peer === 'auth0') {
    let doc = new auth0.Document(docType);
    for (const [ns, vals] of Object.entries(claims)) doc = doc.addIssuerNameSpace(ns, vals);
    const signed = await doc
      .useDigestAlgorithm('SHA-256')
      .addValidityInfo(validity)
      .addDeviceKeyInfo({ deviceKey: devicePubJwk })
      .sign({ issuerPrivateKey: dsJwk, issuerCertificate: dsCertPem, alg: 'ES256' });
    return new Uint8Array(new auth0.MDoc([signed]).encode());
  }
  const ctx = animoContext(animo);
  let doc = new animo.Document(docType, ctx);
  // animo types nothing itself: full-dates (ISO 18013-5 7.2.1, also inside driving_privileges)
  // become tag 1004 through its DateOnly
  const typed = (v) => {
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return new animo.DateOnly(v);
    if (Array.isArray(v)) return v.map(typed);
    if (v && typeof v === 'object' && !(v instanceof Uint8Array) && !(v instanceof Date)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typed(x)]));
    return v;
  };
  for (const [ns, vals] of Object.entries(claims)) doc = doc.addIssuerNameSpace(ns, typed(vals));
  const signed = await doc
    .useDigestAlgorithm('SHA-256')
    .addValidityInfo(validity)
    .addDeviceKeyInfo({ deviceKey: devicePubJwk })
    .sign({ issuerPrivateKey: dsJwk, issuerCertificate: dsCertPem, alg: 'ES256' }, ctx);
  return new Uint8Array(new animo.MDoc([signed]).encode());
}

// ---- presenting ---------------------------------------------------------------------------
// disclose: [[ns, element], ...]; mac: the reader's public JWK/COSE to authenticate by MAC
export async function present(peer, { mdoc, docType, disclose, stBytes, deviceJwk, mac }) {
  if (peer === 'auth0') {
    const pd = {
      id: 'interop',
      input_descriptors: [{
        id: docType,
        format: { mso_mdoc: { alg: ['ES256'] } },
        constraints: {
          limit_disclosure: 'required',
          fields: disclose.map(([ns, el]) => ({ path: [`$['${ns}']['${el}']`], intent_to_retain: false })),
        },
      }],
    };
    let dr = auth0.DeviceResponse.from(mdoc).usingPresentationDefinition(pd).usingSessionTranscriptBytes(Buffer.from(stBytes));
    dr = mac ? dr.authenticateWithMAC(deviceJwk, mac.cose, 'HS256') : dr.authenticateWithSignature(deviceJwk, 'ES256');
    return new Uint8Array((await dr.sign()).encode());
  }
  const ctx = animoContext(animo);
  const ns = new Map();
  for (const [n, el] of disclose) {
    if (!ns.has(n)) ns.set(n, new Map());
    ns.get(n).set(el, false);
  }
  const req = animo.DeviceRequest.from('1.0', [{ itemsRequestData: { docType, nameSpaces: ns } }]);
  let dr = animo.DeviceResponse.from(mdoc).usingDeviceRequest(req).usingSessionTranscriptBytes(stBytes);
  dr = mac ? dr.authenticateWithMAC(deviceJwk, mac.jwk, 'HS256') : dr.authenticateWithSignature(deviceJwk, 'ES256');
  return new Uint8Array((await dr.sign(ctx)).encode());
}

// ---- verifying ----------------------------------------------------------------------------
// Returns {ok, failed: [check...], claims: {ns: {el: value}}}. Every peer check is collected
// (no throwing on the first) so a failure names all that went wrong.
export async function verify(peer, { response, trustPem, trustDer, stBytes, readerPrivateJwk, now }) {
  const checks = [];
  const onCheck = (c) => checks.push(c);
  let dr;
  if (peer === 'auth0') {
    const v = new auth0.Verifier([trustPem]);
    const opts = { encodedSessionTranscript: Buffer.from(stBytes), onCheck };
    if (readerPrivateJwk) opts.ephemeralReaderKey = readerCose(readerPrivateJwk);
    dr = await v.verify(Buffer.from(response), opts);
  } else {
    const ctx = animoContext(animo, () => now ?? new Date());
    const v = new animo.Verifier();
    const input = { encodedDeviceResponse: response, encodedSessionTranscript: stBytes, trustedCertificates: [trustDer], onCheck };
    if (now) input.now = now;
    if (readerPrivateJwk) input.ephemeralReaderKey = readerPrivateJwk;
    dr = await v.verifyDeviceResponse(input, ctx);
  }
  const failed = checks.filter((c) => c.status === 'FAILED').map((c) => `${c.category}: ${c.check}${c.reason ? ` (${c.reason})` : ''}`);
  const claims = {};
  for (const d of dr.documents) {
    const nss = d.issuerSigned.nameSpaces;
    const entries = nss instanceof Map ? [...nss.entries()] : Object.entries(nss);
    for (const [ns, items] of entries) {
      claims[ns] = claims[ns] ?? {};
      for (const it of items) claims[ns][it.elementIdentifier] = it.elementValue;
    }
  }
  return { ok: failed.length === 0 && checks.length > 0, failed, claims, docTypes: dr.documents.map((d) => d.docType) };
}

// the auth0 verifier takes the reader's ephemeral private key as a COSE_Key
function readerCose(jwk) {
  return new Uint8Array(animo.cborEncode(new Map([
    [1, 2], [-1, 1],
    [-2, Buffer.from(jwk.x, 'base64url')], [-3, Buffer.from(jwk.y, 'base64url')], [-4, Buffer.from(jwk.d, 'base64url')],
  ])));
}

export { rawEcPoint };
