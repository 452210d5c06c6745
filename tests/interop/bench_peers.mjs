// bench_peers.mjs [--cardless PATH] [--seconds S] [--json FILE] - verification rates of the npm
// peers on one core, for the figures bench/ prints side by side with cardless':
//   peer_auth0_mdoc_verify, peer_animo_mdoc_verify: one DeviceResponse, one document,
//     10 elements, device signature (made by cardless when PATH has `mdoc issue|present`,
//     else by @auth0/mdl), IACA trusted, same SessionTranscript;
//   peer_sdjwt_verify_10_disclosures_kb: one SD-JWT VC presentation with 10 disclosures and a
//     KB-JWT (made by cardless when it has `sdjwt issue|present`, else by the peer);
//   peer_status_list_decode_1M: decode a 1,000,000-entry 2-bit status-list JWT and read one entry.
// Prints one JSON record {"name","value","unit","source"} per line on stdout; with --json FILE
// it also appends them to the JSON array in FILE (build/bench.json). Ends by itself.
import fs from 'node:fs';
import path from 'node:path';
import * as P from './mdoc_peers.mjs';
import * as S from './sdjwt_peers.mjs';
import { makeCardless, pemCerts, privateJwk, publicJwk, typeIdFor, workDir } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const seconds = Number(opt('--seconds', process.env.BENCH_SECONDS ?? 2));
const jsonFile = opt('--json');
const clPath = opt('--cardless');
const w = workDir('bench');
const f = (n) => path.join(w, n);

// CPU seconds of this process, as `openssl speed` and bench/bench.c count
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

async function rate(fn) {
  await fn(); // warm up (JIT, caches)
  let n = 0;
  const start = cpu();
  let now = start;
  while (now - start < seconds) {
    await fn();
    n++;
    now = cpu();
  }
  return n / (now - start);
}

const records = [];
function record(name, value, unit, source) {
  const r = { name, value: Math.round(value * 10) / 10, unit, source };
  records.push(r);
  console.log(JSON.stringify(r));
}

async function main() {
  const cl = clPath ? makeCardless(clPath, w) : undefined;
  if (!cl) throw new Error('--cardless PATH is required (keys and certificates come from `cardless key|ca`)');
  cl.must(['ca', 'init', '--out', f('ca'), '--country', 'KR', '--name', 'Bench IACA']);
  cl.must(['key', 'new', '--out', f('holder.pem')]);
  cl.must(['key', 'pub', '--in', f('holder.pem'), '--out', f('holder.pub.pem')]);
  cl.must(['key', 'pub', '--in', f('ca/ds.key.pem'), '--out', f('ds.pub.pem')]);
  const dsJwk = privateJwk(f('ca/ds.key.pem'));
  const holderJwk = privateJwk(f('holder.pem'));
  const holderPub = publicJwk(f('holder.pub.pem'));

  // ---- mdoc: one document, 10 elements, device signature ---------------------------------
  const NS = 'org.iso.18013.5.1';
  const DOCTYPE = 'org.iso.18013.5.1.mDL';
  // the mandatory mDL elements; 10 of them are disclosed (portrait stays with the holder)
  const el = {
    family_name: 'Kim', given_name: 'Minsu', birth_date: '1990-03-01', issue_date: '2026-01-02',
    expiry_date: '2031-01-01', issuing_country: 'KR', issuing_authority: 'KNPA', document_number: '11-22-334455-66',
    driving_privileges: [{ vehicle_category_code: 'B', issue_date: '2020-01-02', expiry_date: '2030-01-01' }],
    un_distinguishing_sign: 'ROK',
  };
  const portrait = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';
  const disclosed = Object.keys(el);
  const st = P.sessionTranscript();
  fs.writeFileSync(f('st.cbor'), st.bytes);
  let response;
  let mdocSource = 'cardless';
  if (cl.hasVerb('mdoc', 'issue') && cl.hasVerb('mdoc', 'present')) {
    fs.writeFileSync(f('claims.json'), JSON.stringify({ [NS]: { ...el, portrait: { $b64: portrait } } }));
    const issued = cl.run(['mdoc', 'issue', '--type', typeIdFor(DOCTYPE), '--claims', f('claims.json'), '--ds-key', f('ca/ds.key.pem'), '--ds-cert', f('ca/ds.pem'),
      '--device-pub', f('holder.pub.pem'), '--out', f('cred.cbor')]);
    const pres = issued.code === 0 && cl.run(['mdoc', 'present', '--credential', f('cred.cbor'), '--device-key', f('holder.pem'),
      '--disclose', disclosed.map((e) => `${NS}/${e}`).join(','), '--session-transcript', f('st.cbor'), '--out', f('resp.cbor')]);
    if (pres && pres.code === 0) response = new Uint8Array(fs.readFileSync(f('resp.cbor')));
  }
  if (!response) {
    mdocSource = '@auth0/mdl';
    const mdoc = await P.issue('auth0', { docType: DOCTYPE, claims: { [NS]: { ...structuredClone(el), portrait: Buffer.from(portrait, 'base64url') } }, dsJwk, dsCertPem: fs.readFileSync(f('ca/ds.pem'), 'utf8'), devicePubJwk: holderPub, validity: {} });
    response = await P.present('auth0', { mdoc, docType: DOCTYPE, disclose: disclosed.map((e) => [NS, e]), stBytes: st.bytes, deviceJwk: holderJwk });
  }
  const vopts = { response, trustPem: fs.readFileSync(f('ca/iaca.pem'), 'utf8'), trustDer: pemCerts(f('ca/iaca.pem'))[0], stBytes: st.bytes };
  for (const peer of P.PEERS) {
    const first = await P.verify(peer, vopts);
    if (!first.ok) throw new Error(`${peer} does not verify the bench DeviceResponse: ${first.failed.join('; ')}`);
    record(`peer_${peer}_mdoc_verify`, await rate(() => P.verify(peer, vopts)), 'ops/s', `response by ${mdocSource}`);
  }

  // ---- SD-JWT VC: 10 disclosures and a KB-JWT ------------------------------------------------
  const claims = { c0: 'v0', c1: 'v1', c2: 'v2', c3: 'v3', c4: 'v4', c5: 'v5', c6: 'v6', c7: 'v7', c8: 'v8', c9: 'v9' };
  const AUD = 'https://bench.example';
  const NONCE = 'bench-nonce';
  let pres;
  let sdSource = 'cardless';
  if (cl.hasVerb('sdjwt', 'issue') && cl.hasVerb('sdjwt', 'present')) {
    fs.writeFileSync(f('sd-claims.json'), JSON.stringify(claims));
    const ptrs = Object.keys(claims).map((k) => `/${k}`).join(',');
    const i = cl.run(['sdjwt', 'issue', '--vct', 'urn:bench', '--sd', ptrs, '--claims', f('sd-claims.json'), '--iss', 'https://issuer.bench.example',
      '--issuer-key', f('ca/ds.key.pem'), '--holder-pub', f('holder.pub.pem'), '--out', f('sd.txt')]);
    const p = i.code === 0 && cl.run(['sdjwt', 'present', '--credential', f('sd.txt'), '--holder-key', f('holder.pem'), '--disclose', ptrs,
      '--aud', AUD, '--nonce', NONCE, '--out', f('sd-pres.txt')]);
    if (p && p.code === 0) pres = fs.readFileSync(f('sd-pres.txt'), 'utf8').trim();
  }
  if (!pres) {
    sdSource = '@sd-jwt/sd-jwt-vc';
    const inst = await S.instance({ issuerJwk: dsJwk, holderJwk });
    const now = Math.floor(Date.now() / 1000);
    const cred = await inst.issue({ iss: 'https://issuer.bench.example', vct: 'urn:bench', iat: now, cnf: { jwk: holderPub }, ...claims }, { _sd: Object.keys(claims) });
    pres = await inst.present(cred, Object.fromEntries(Object.keys(claims).map((k) => [k, true])), { kb: { payload: { aud: AUD, nonce: NONCE, iat: now } } });
  }
  const verifier = await S.instance({ issuerJwk: publicJwk(f('ds.pub.pem')) });
  await verifier.verify(pres, { keyBindingNonce: NONCE });
  record('peer_sdjwt_verify_10_disclosures_kb', await rate(() => verifier.verify(pres, { keyBindingNonce: NONCE })), 'ops/s', `presentation by ${sdSource}`);

  // ---- status list: decode one 1,000,000-entry list -------------------------------------------
  const big = new Array(1000000).fill(0);
  for (let i = 0; i < big.length; i += 97) big[i] = 1;
  const listJwt = S.peerStatusListJwt({ values: big, bits: 2, uri: 'https://status.bench.example/1', iss: 'x', jwk: dsJwk });
  record('peer_status_list_decode_1M', await rate(() => S.getListFromStatusListJWT(listJwt).getStatus(970)), 'ops/s', '@sd-jwt/jwt-status-list');

  if (jsonFile) {
    let all = [];
    try {
      all = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
      if (!Array.isArray(all)) all = [];
    } catch {
      all = [];
    }
    fs.writeFileSync(jsonFile, `${JSON.stringify([...all, ...records], null, 2)}\n`);
  }
}

main()
  .catch((e) => {
    console.error(`bench_peers: ${e.message}`);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(w, { recursive: true, force: true }));
