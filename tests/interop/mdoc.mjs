// mdoc.mjs CARDLESS - ISO/IEC 18013-5 mdoc interoperability with @auth0/mdl and @animo-id/mdoc,
// both ways:
//   1. cardless issues and presents (signature, by --disclose and by DeviceRequest); each peer's
//      DeviceResponse verifier checks it with the IACA as trusted certificate and the same
//      SessionTranscript, and must return exactly the disclosed elements with their values.
//   2. each peer issues and presents (device signature and device MAC); `cardless mdoc verify
//      --json` must accept it and return the same elements.
// Tampered responses must be refused on both sides, so a "pass" is never vacuous.
// The two peers share code (animo is a fork of auth0) and bugs; where they disagree with the
// standard, the standard wins and the check below says so.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as animo from '@animo-id/mdoc';
import * as P from './mdoc_peers.mjs';
import { Tally, typeIdFor, b64u, cborArrayItem, cborMapValue, makeCardless, pemCerts, privateJwk, workDir } from './lib.mjs';

const t = new Tally('interop_mdoc');
const w = workDir('mdoc');
const cl = makeCardless(process.argv[2], w);
const f = (n) => path.join(w, n);

const DOCTYPE = 'org.iso.18013.5.1.mDL';
const NS = 'org.iso.18013.5.1';

// a portrait whose base64 has no '+', '/' or padding, so {"$b64": ...} reads the same whether
// cardless decodes base64 or base64url
let portrait;
do portrait = crypto.randomBytes(30); while (!/^[A-Za-z0-9]+$/.test(portrait.toString('base64')));

// a fresh copy each time: @auth0/mdl types the mDL dates in place (it mutates the claims it is given)
const freshElements = () => ({
  family_name: 'Kim',
  given_name: 'Minsu',
  birth_date: '1990-03-01',
  issue_date: '2026-01-02',
  expiry_date: '2031-01-01',
  issuing_country: 'KR',
  issuing_authority: 'Korean National Police Agency',
  document_number: '11-22-334455-66',
  portrait,
  driving_privileges: [{ vehicle_category_code: 'B', issue_date: '2020-01-02', expiry_date: '2030-01-01' }],
  un_distinguishing_sign: 'ROK',
  sex: 1,
  portrait_capture_date: new Date('2025-12-01T09:30:00Z'),
  age_over_18: true,
  age_over_65: false,
});
const elements = freshElements();
const DISCLOSE = ['family_name', 'birth_date', 'portrait', 'driving_privileges', 'sex', 'portrait_capture_date', 'age_over_18'];
// the disclosed elements as JSON: full-dates "YYYY-MM-DD", byte strings base64url
const expected = Object.fromEntries(DISCLOSE.map((k) => [k, norm(elements[k])]));

// a decoded CBOR value as the JSON cardless prints (Map -> object, full-date/tdate -> string,
// bytes -> base64url)
function norm(v) {
  if (v instanceof Uint8Array) return b64u(v);
  if (v instanceof animo.DateOnly) return v.toISOString(); // full-date: "YYYY-MM-DD"
  if (v instanceof Date) return v.toISOString().replace(/\.000Z$/, 'Z'); // tdate, RFC 3339
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [k, norm(x)]));
  if (Array.isArray(v)) return v.map(norm);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  return v;
}
const same = (a, b) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

// flip one bit inside the first occurrence of `needle` (an element value) in a response
function tamper(bytes, needle) {
  const b = Buffer.from(bytes);
  const i = b.indexOf(Buffer.from(needle));
  if (i < 0) throw new Error('tamper: value not found in response');
  b[i] ^= 0x01;
  return new Uint8Array(b);
}

async function main() {
  // ---- keys and certificates from cardless (PEM), converted for the peers in node ----------
  cl.must(['ca', 'init', '--out', f('ca'), '--country', 'KR', '--name', 'Interop IACA']);
  cl.must(['key', 'new', '--out', f('holder.pem')]);
  cl.must(['key', 'pub', '--in', f('holder.pem'), '--out', f('holder.pub.pem')]);
  const iacaPem = fs.readFileSync(f('ca/iaca.pem'), 'utf8');
  const iacaDer = pemCerts(f('ca/iaca.pem'))[0];
  const dsJwk = privateJwk(f('ca/ds.key.pem'));
  const dsCertPem = fs.readFileSync(f('ca/ds.pem'), 'utf8');
  const holderJwk = privateJwk(f('holder.pem'));
  const holderPub = { kty: holderJwk.kty, crv: holderJwk.crv, x: holderJwk.x, y: holderJwk.y };

  const st = P.sessionTranscript();
  fs.writeFileSync(f('st.cbor'), st.bytes); // tag-24 SessionTranscriptBytes
  fs.writeFileSync(f('st-plain.cbor'), animo.cborDecode(st.bytes, { tagUint8Array: false }).buffer); // the bare array
  fs.writeFileSync(f('reader.pem'), st.readerPrivatePem);
  fs.writeFileSync(f('reader.pub.pem'), crypto.createPublicKey(st.readerPrivatePem).export({ format: 'pem', type: 'spki' }));
  const verifyOpts = { trustPem: iacaPem, trustDer: iacaDer, stBytes: st.bytes };

  // ---- control: the peers accept each other (so a failure below is about cardless) ---------
  const validity = { signed: new Date(Math.floor(Date.now() / 1000) * 1000) };
  const peerMdoc = {};
  for (const p of P.PEERS) {
    peerMdoc[p] = await P.issue(p, { docType: DOCTYPE, claims: { [NS]: freshElements() }, dsJwk, dsCertPem, devicePubJwk: holderPub, validity });
  }
  const disclose = DISCLOSE.map((e) => [NS, e]);
  for (const p of P.PEERS) {
    await t.check(`control: ${p} verifies a DeviceResponse the other peer issued and presented`, async () => {
      const other = P.PEERS.find((x) => x !== p);
      const resp = await P.present(other, { mdoc: peerMdoc[other], docType: DOCTYPE, disclose, stBytes: st.bytes, deviceJwk: holderJwk });
      const r = await P.verify(p, { response: resp, ...verifyOpts });
      return r.ok && same(norm(r.claims[NS]), expected) ? true : { ok: r.ok, failed: r.failed, got: norm(r.claims), expected };
    });
  }

  // ---- 1. cardless issues and presents; the peers verify --------------------------------------
  const canIssue = cl.hasVerb('mdoc', 'issue') && cl.hasVerb('mdoc', 'present');
  if (!canIssue) t.skip('cardless issues/presents, peers verify (cardless mdoc issue|present)');
  else {
    await cardlessToPeers({ verifyOpts, peerMdoc, st });
    await residentCard({ verifyOpts, holderJwk, st });
  }

  // ---- 2. the peers issue and present; cardless verifies --------------------------------------
  if (!cl.hasVerb('mdoc', 'verify')) t.skip('peers issue/present, cardless verifies (cardless mdoc verify)');
  else {
    await peersToCardless({ holderJwk, st, disclose });
    await dsWithoutEku({ holderJwk, st, disclose });
  }

  t.finish();
}

async function cardlessToPeers({ verifyOpts, peerMdoc, st }) {
  const claims = { [NS]: { ...norm(elements), portrait: { $b64: portrait.toString('base64') } } };
  fs.writeFileSync(f('claims.json'), JSON.stringify(claims));
  const type = typeIdFor(DOCTYPE);
  const issue = cl.run(['mdoc', 'issue', '--type', type, '--claims', f('claims.json'), '--ds-key', f('ca/ds.key.pem'),
    '--ds-cert', f('ca/ds.pem'), '--chain', f('ca/iaca.pem'), '--device-pub', f('holder.pub.pem'), '--valid-days', '30',
    '--out', f('cred.cbor')]);
  if (!t.ok(`cardless mdoc issue --type ${type} (mDL with tstr, uint, full-date, tdate, bstr, array of maps, bool)`, issue.code === 0, issue.err + issue.out)) return;

  const responses = {};
  const pres = cl.run(['mdoc', 'present', '--credential', f('cred.cbor'), '--device-key', f('holder.pem'),
    '--disclose', DISCLOSE.map((e) => `${NS}/${e}`).join(','), '--session-transcript', f('st.cbor'), '--out', f('resp.cbor')]);
  if (t.ok('cardless mdoc present --disclose', pres.code === 0, pres.err + pres.out)) responses.disclose = fs.readFileSync(f('resp.cbor'));
  // device MAC (ISO 18013-5 9.1.3.5): EMacKey from the device key and the reader's ephemeral key
  const mac = cl.run(['mdoc', 'present', '--credential', f('cred.cbor'), '--device-key', f('holder.pem'),
    '--disclose', DISCLOSE.map((e) => `${NS}/${e}`).join(','), '--session-transcript', f('st.cbor'), '--reader-pub', f('reader.pub.pem'), '--out', f('resp-mac.cbor')]);
  if (t.ok('cardless mdoc present --reader-pub (device MAC)', mac.code === 0, mac.err + mac.out)) {
    const resp = fs.readFileSync(f('resp-mac.cbor'));
    for (const p of P.PEERS) {
      await t.check(`cardless -> ${p}: DeviceResponse with device MAC verifies with the reader's ephemeral key`, async () => {
        const r = await P.verify(p, { response: resp, ...verifyOpts, readerPrivateJwk: st.readerPrivateJwk });
        return r.ok && same(norm(r.claims[NS]), expected) ? true : { ok: r.ok, failed: r.failed, got: norm(r.claims) };
      });
      await t.check(`cardless -> ${p}: device MAC under another reader key is refused`, async () => {
        const r = await P.verify(p, { response: resp, ...verifyOpts, readerPrivateJwk: P.sessionTranscript().readerPrivateJwk });
        return !r.ok ? true : 'peer accepted a MAC under another key';
      });
    }
  }

  // a DeviceRequest made by cardless, and one made by a peer (animo's DeviceRequest.encode)
  if (cl.hasVerb('mdoc', 'request')) {
    const req = cl.run(['mdoc', 'request', '--doctype', DOCTYPE, '--elements', DISCLOSE.map((e) => `${NS}/${e}`).join(','), '--out', f('req.cbor')]);
    if (t.ok('cardless mdoc request', req.code === 0, req.err + req.out)) {
      await t.check('animo parses the DeviceRequest cardless made (docType, elements)', () => {
        const dr = animo.DeviceRequest.parse(fs.readFileSync(f('req.cbor')));
        const ir = dr.docRequests[0].itemsRequest.data;
        const asked = [...ir.nameSpaces.get(NS).keys()].sort();
        return dr.version === '1.0' && ir.docType === DOCTYPE && same(asked, [...DISCLOSE].sort()) ? true : { version: dr.version, ir };
      });
      const r = cl.run(['mdoc', 'present', '--credential', f('cred.cbor'), '--device-key', f('holder.pem'),
        '--request', f('req.cbor'), '--session-transcript', f('st.cbor'), '--out', f('resp-req.cbor')]);
      if (t.ok('cardless mdoc present --request (cardless DeviceRequest)', r.code === 0, r.err + r.out)) responses['cardless request'] = fs.readFileSync(f('resp-req.cbor'));
    }
  } else t.skip('cardless mdoc request');
  {
    // Standard wins: ISO 18013-5 8.3.2.1.2.1 has ItemsRequest = {"docType", "nameSpaces",
    // ? "requestInfo": {* tstr => any}}. animo's DeviceRequest.encode writes "requestInfo" (and
    // "readerAuth") with the CBOR value undefined when there is none, which is not a map (nor a
    // COSE_Sign1 for readerAuth); cardless must refuse such a request and name requestInfo. With requestInfo
    // given as a map, animo's request is conformant and cardless must answer it.
    const ns = new Map([[NS, new Map(DISCLOSE.map((e) => [e, false]))]]);
    fs.writeFileSync(f('req-animo-undef.cbor'), animo.DeviceRequest.from('1.0', [{ itemsRequestData: { docType: DOCTYPE, nameSpaces: ns } }]).encode());
    const bad = cl.run(['mdoc', 'present', '--credential', f('cred.cbor'), '--device-key', f('holder.pem'),
      '--request', f('req-animo-undef.cbor'), '--session-transcript', f('st.cbor'), '--out', f('resp-undef.cbor')]);
    t.ok('standard wins (ISO 18013-5 8.3.2.1.2.1): cardless refuses animo\'s DeviceRequest whose requestInfo is CBOR undefined, naming it',
      bad.code === 1 && /requestInfo/.test(bad.err), bad.err + bad.out);
    const req = animo.DeviceRequest.from('1.0', [{ itemsRequestData: { docType: DOCTYPE, nameSpaces: ns, requestInfo: { purpose: 'interop' } } }]);
    // readerAuth is written as undefined too (refused by cardless for the same reason): the
    // request goes without it, the optional entry absent as the CDDL allows
    fs.writeFileSync(f('req-animo.cbor'), withoutUndefinedReaderAuth(req));
    const r = cl.run(['mdoc', 'present', '--credential', f('cred.cbor'), '--device-key', f('holder.pem'),
      '--request', f('req-animo.cbor'), '--session-transcript', f('st.cbor'), '--out', f('resp-req-animo.cbor')]);
    if (t.ok('cardless mdoc present --request (DeviceRequest made by animo, requestInfo given)', r.code === 0, r.err + r.out)) responses['animo request'] = fs.readFileSync(f('resp-req-animo.cbor'));
  }
  for (const [how, resp] of Object.entries(responses)) {
    for (const p of P.PEERS) {
      await t.check(`cardless -> ${p}: DeviceResponse (${how}) verifies with exactly the disclosed elements`, async () => {
        const r = await P.verify(p, { response: resp, ...verifyOpts });
        if (!r.ok) return r;
        if (!same(r.docTypes, [DOCTYPE])) return r;
        return same(norm(r.claims[NS]), expected) && Object.keys(r.claims).length === 1 ? true : { got: norm(r.claims), expected };
      });
    }
  }
  if (responses.disclose) {
    for (const p of P.PEERS) {
      await t.check(`cardless -> ${p}: a tampered element value is refused`, async () => {
        const r = await P.verify(p, { response: tamper(responses.disclose, 'Kim'), ...verifyOpts });
        return !r.ok ? true : 'peer accepted a tampered response';
      });
      await t.check(`cardless -> ${p}: another SessionTranscript is refused (device signature)`, async () => {
        const r = await P.verify(p, { response: responses.disclose, ...verifyOpts, stBytes: P.sessionTranscript().bytes });
        return !r.ok ? true : 'peer accepted a response for another session';
      });
    }
    // cardless accepts its own response with either form of the SessionTranscript file
    if (cl.hasVerb('mdoc', 'verify')) {
      fs.writeFileSync(f('resp-own.cbor'), responses.disclose);
      for (const stFile of ['st.cbor', 'st-plain.cbor']) {
        const r = cl.run(['mdoc', 'verify', '--response', f('resp-own.cbor'), '--trust', f('ca/iaca.pem'), '--session-transcript', f(stFile), '--json']);
        const j = cl.json(r);
        t.ok(`cardless verifies its own response (--session-transcript ${stFile})`, r.code === 0 && j?.valid === true, r.out + r.err);
      }
    }
  }

  // the holder side with a credential a peer issued: cardless's credential file is
  // {"docType", "issuerSigned"}, the shape of documents[0] in the peer's encoding, cut out with
  // its bytes as the peer wrote them; cardless presents it and both peers verify the response
  for (const issuer of P.PEERS) {
    const b = Buffer.from(peerMdoc[issuer]);
    const doc = cborArrayItem(b, cborMapValue(b, 0, 'documents').start, 0);
    fs.writeFileSync(f(`cred-${issuer}.cbor`), b.subarray(doc.start, doc.end));
    const r = cl.run(['mdoc', 'present', '--credential', f(`cred-${issuer}.cbor`), '--device-key', f('holder.pem'),
      '--disclose', DISCLOSE.map((e) => `${NS}/${e}`).join(','), '--session-transcript', f('st.cbor'), '--out', f(`resp-held-${issuer}.cbor`)]);
    if (!t.ok(`cardless holds a credential ${issuer} issued and presents it`, r.code === 0, r.err + r.out)) continue;
    const resp = fs.readFileSync(f(`resp-held-${issuer}.cbor`));
    for (const p of P.PEERS) {
      await t.check(`${issuer} issues, cardless presents, ${p} verifies with exactly the disclosed elements`, async () => {
        const v = await P.verify(p, { response: resp, ...verifyOpts });
        return v.ok && same(norm(v.claims[NS]), expected) ? true : { ok: v.ok, failed: v.failed, got: norm(v.claims), expected };
      });
    }
  }
}

// The Korean mobile resident card (a kr.go.* doctype of cardless's catalog, Hangul text): the
// bank's question of the demo, the Korean name and age_over_19, both ways.
async function residentCard({ verifyOpts, holderJwk, st }) {
  const RC = 'kr.go.mois.resident_card.1';
  const rc = {
    family_name_ko: '김', given_name_ko: '민수', family_name_en: 'KIM', given_name_en: 'MINSU', birth_date: '1990-03-01',
    resident_number_front: '900301', resident_number_back: '1234567', resident_address: '서울특별시 종로구 세종대로 1',
    issue_date: '2026-01-02', issuing_authority: '서울특별시 종로구청장', age_over_14: true, age_over_19: true, age_over_65: false,
  };
  const ask = ['family_name_ko', 'given_name_ko', 'age_over_19'];
  const want = Object.fromEntries(ask.map((k) => [k, rc[k]]));
  fs.writeFileSync(f('rc-claims.json'), JSON.stringify({ [RC]: { ...rc, portrait: { $b64: portrait.toString('base64') } } }));
  const type = typeIdFor(RC);
  const i = cl.run(['mdoc', 'issue', '--type', type, '--claims', f('rc-claims.json'), '--ds-key', f('ca/ds.key.pem'), '--ds-cert', f('ca/ds.pem'),
    '--device-pub', f('holder.pub.pem'), '--out', f('rc.cbor')]);
  if (t.ok(`cardless mdoc issue --type ${type} (Hangul text)`, i.code === 0, i.err + i.out)) {
    const p = cl.run(['mdoc', 'present', '--credential', f('rc.cbor'), '--device-key', f('holder.pem'),
      '--disclose', ask.map((e) => `${RC}/${e}`).join(','), '--session-transcript', f('st.cbor'), '--out', f('rc-resp.cbor')]);
    if (t.ok('cardless presents the resident card (Korean name, age_over_19)', p.code === 0, p.err + p.out)) {
      for (const peer of P.PEERS) {
        await t.check(`cardless -> ${peer}: resident card response verifies with exactly the Korean name and age_over_19`, async () => {
          const r = await P.verify(peer, { response: fs.readFileSync(f('rc-resp.cbor')), ...verifyOpts });
          return r.ok && same(r.docTypes, [RC]) && same(norm(r.claims), { [RC]: want }) ? true : { ok: r.ok, failed: r.failed, got: norm(r.claims) };
        });
      }
    }
  }
  for (const peer of P.PEERS) {
    const mdoc = await P.issue(peer, {
      docType: RC, claims: { [RC]: { ...rc, portrait } }, dsJwk: privateJwk(f('ca/ds.key.pem')), dsCertPem: fs.readFileSync(f('ca/ds.pem'), 'utf8'),
      devicePubJwk: { kty: holderJwk.kty, crv: holderJwk.crv, x: holderJwk.x, y: holderJwk.y }, validity: { signed: new Date(Math.floor(Date.now() / 1000) * 1000) },
    });
    fs.writeFileSync(f(`rc-${peer}.cbor`), await P.present(peer, { mdoc, docType: RC, disclose: ask.map((e) => [RC, e]), stBytes: st.bytes, deviceJwk: holderJwk }));
    const r = cl.run(['mdoc', 'verify', '--response', f(`rc-${peer}.cbor`), '--trust', f('ca/iaca.pem'), '--session-transcript', f('st.cbor'), '--json']);
    const j = cl.json(r);
    t.ok(`${peer} issues and presents a resident card -> cardless verifies the Korean name and age_over_19`,
      r.code === 0 && j?.valid === true && j.documents?.[0]?.docType === RC && same(j.documents[0].claims, { [RC]: want }), r.out + r.err);
  }
}

// Standard wins: ISO 18013-5 Annex B.1.4 requires the Document Signer certificate to carry
// the extended key usage id-mdl-kp-mdlDS (1.0.18013.5.1.2). A DS certificate made by openssl
// under the same IACA without it: auth0 checks the chain only and accepts the response; animo
// leaves certificate checks to its caller's context, which here checks the chain only as auth0
// does (the check records what each did). cardless must refuse it for that reason.
async function dsWithoutEku({ holderJwk, st, disclose }) {
  const sh = (cmd, args) => {
    const r = spawnSync(cmd, args, { cwd: w, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  };
  sh('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ds-noeku.key.pem']);
  sh('openssl', ['req', '-new', '-key', 'ds-noeku.key.pem', '-subj', '/C=KR/CN=Interop DS without EKU', '-out', 'ds-noeku.csr']);
  fs.writeFileSync(f('ds-noeku.ext'), 'keyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  sh('openssl', ['x509', '-req', '-in', 'ds-noeku.csr', '-CA', 'ca/iaca.pem', '-CAkey', 'ca/iaca.key.pem', '-set_serial', '7',
    '-days', '30', '-extfile', 'ds-noeku.ext', '-out', 'ds-noeku.pem']);
  const mdoc = await P.issue('auth0', {
    docType: DOCTYPE, claims: { [NS]: freshElements() }, dsJwk: privateJwk(f('ds-noeku.key.pem')), dsCertPem: fs.readFileSync(f('ds-noeku.pem'), 'utf8'),
    devicePubJwk: { kty: holderJwk.kty, crv: holderJwk.crv, x: holderJwk.x, y: holderJwk.y }, validity: { signed: new Date(Math.floor(Date.now() / 1000) * 1000) },
  });
  const resp = await P.present('auth0', { mdoc, docType: DOCTYPE, disclose, stBytes: st.bytes, deviceJwk: holderJwk });
  const peers = [];
  for (const p of P.PEERS) {
    const r = await P.verify(p, { response: resp, trustPem: fs.readFileSync(f('ca/iaca.pem'), 'utf8'), trustDer: pemCerts(f('ca/iaca.pem'))[0], stBytes: st.bytes });
    peers.push(`${p} ${r.ok ? 'accepts' : 'refuses'} it`);
  }
  fs.writeFileSync(f('resp-noeku.cbor'), resp);
  const r = cl.run(['mdoc', 'verify', '--response', f('resp-noeku.cbor'), '--trust', f('ca/iaca.pem'), '--session-transcript', f('st.cbor'), '--json']);
  const j = cl.json(r);
  t.ok(`standard wins (ISO 18013-5 Annex B.1.4): cardless refuses a DS certificate without the mdoc DS extended key usage (${peers.join(', ')})`,
    r.code === 1 && j?.valid === false && j.errors?.some((e) => /1\.0\.18013\.5\.1\.2|extKeyUsage/.test(e.message)), r.out + r.err);
}

async function peersToCardless({ holderJwk, st, disclose }) {
  const validity = { signed: new Date(Math.floor(Date.now() / 1000) * 1000) };
  for (const issuer of P.PEERS) {
    const mdoc = await P.issue(issuer, {
      docType: DOCTYPE, claims: { [NS]: freshElements() }, dsJwk: privateJwk(f('ca/ds.key.pem')),
      dsCertPem: fs.readFileSync(f('ca/ds.pem'), 'utf8'),
      devicePubJwk: { kty: holderJwk.kty, crv: holderJwk.crv, x: holderJwk.x, y: holderJwk.y }, validity,
    });
    for (const presenter of P.PEERS) {
      for (const mode of ['signature', 'MAC']) {
        const mac = mode === 'MAC' ? { cose: st.readerPublicCose, jwk: st.readerPublicJwk } : undefined;
        const resp = await P.present(presenter, { mdoc, docType: DOCTYPE, disclose, stBytes: st.bytes, deviceJwk: holderJwk, mac });
        const name = `${issuer}-${presenter}-${mode}`;
        fs.writeFileSync(f(`peer-${name}.cbor`), resp);
        const args = ['mdoc', 'verify', '--response', f(`peer-${name}.cbor`), '--trust', f('ca/iaca.pem'), '--session-transcript', f('st.cbor'), '--json'];
        if (mac) args.push('--reader-key', f('reader.pem'));
        const r = cl.run(args);
        const j = cl.json(r);
        await t.check(`${issuer} issues, ${presenter} presents (device ${mode}) -> cardless mdoc verify accepts with exactly the disclosed elements`, () => {
          if (r.code !== 0 || !j || j.valid !== true) return r.out + r.err;
          const d = j.documents?.[0];
          if (!d || d.docType !== DOCTYPE || j.documents.length !== 1) return j;
          if (d.issuer?.country !== 'KR') return { issuer: d.issuer };
          return same(d.claims, { [NS]: expected }) ? true : { got: d.claims, expected: { [NS]: expected } };
        });
        if (mode === 'signature' && issuer === presenter) {
          fs.writeFileSync(f(`peer-${name}-tampered.cbor`), tamper(resp, 'Kim'));
          const bad = cl.run(['mdoc', 'verify', '--response', f(`peer-${name}-tampered.cbor`), '--trust', f('ca/iaca.pem'), '--session-transcript', f('st.cbor'), '--json']);
          const bj = cl.json(bad);
          t.ok(`${issuer}: cardless refuses the peer's response with a tampered element (exit 1, valid false, an error named)`,
            bad.code === 1 && bj?.valid === false && Array.isArray(bj.errors) && bj.errors.length > 0, bad.out + bad.err);
          fs.writeFileSync(f('st-other.cbor'), P.sessionTranscript().bytes);
          const other = cl.run(['mdoc', 'verify', '--response', f(`peer-${name}.cbor`), '--trust', f('ca/iaca.pem'), '--session-transcript', f('st-other.cbor'), '--json']);
          t.ok(`${issuer}: cardless refuses the peer's response under another SessionTranscript`, other.code === 1, other.out + other.err);
        }
        if (mode === 'MAC' && issuer === presenter) {
          const nokey = cl.run(['mdoc', 'verify', '--response', f(`peer-${name}.cbor`), '--trust', f('ca/iaca.pem'), '--session-transcript', f('st.cbor'), '--json']);
          t.ok(`${issuer}: cardless refuses a device-MAC response without the reader key`, nokey.code !== 0, nokey.out + nokey.err);
        }
      }
    }
  }
}

// animo's DeviceRequest re-assembled without its readerAuth: undefined entry; the
// ItemsRequestBytes stay animo's own bytes
function withoutUndefinedReaderAuth(req) {
  return Buffer.from(animo.cborEncode(new Map([
    ['version', req.version],
    ['docRequests', req.docRequests.map((d) => new Map([['itemsRequest', d.itemsRequest.dataItem]]))],
  ])));
}

main().catch((e) => {
  t.ok('interop_mdoc ran to the end', false, e.stack);
  t.finish();
});
