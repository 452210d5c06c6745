// lib.mjs - shared helpers for the interoperability tests: running cardless, counting checks,
// converting cardless PEM keys for the npm peers, and the crypto context @animo-id/mdoc needs.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// ---- checks -------------------------------------------------------------------------------

export class Tally {
  constructor(suite) {
    this.suite = suite;
    this.passed = 0;
    this.failed = 0;
    this.skipped = [];
  }
  ok(name, cond, detail) {
    if (cond) {
      this.passed++;
      if (process.env.CL_INTEROP_VERBOSE) console.log(`ok   ${name}`);
    } else {
      this.failed++;
      console.log(`FAIL ${name}`);
      if (detail !== undefined) {
        const text = typeof detail === 'string' ? detail : JSON.stringify(detail, null, 1);
        console.log(text.split('\n').slice(0, 30).map((l) => `  | ${l}`).join('\n'));
      }
    }
    return cond;
  }
  // run an async check; an exception is a failure with its message
  async check(name, fn) {
    try {
      const r = await fn();
      if (r === true || r === undefined) return this.ok(name, true);
      return this.ok(name, false, r);
    } catch (e) {
      return this.ok(name, false, e && e.stack ? e.stack : String(e));
    }
  }
  // a cardless verb the check needs is missing: nothing is run in its place, and the suite
  // fails (every verb these suites call has landed; losing one is a regression)
  skip(what) {
    this.skipped.push(what);
    this.failed++;
    console.log(`FAIL not run, cardless verb missing: ${what}`);
  }
  finish() {
    if (this.skipped.length) console.log(`${this.suite}: not run (cardless verb missing): ${this.skipped.join('; ')}`);
    console.log(`${this.passed} passed, ${this.failed} failed`);
    process.exitCode = this.failed > 0 || this.passed === 0 ? 1 : 0;
  }
}

// ---- cardless ----------------------------------------------------------------------------

// the repository root: $CL_SOURCE_DIR (ctest sets it) or two levels above this file
export const SOURCE_DIR = process.env.CL_SOURCE_DIR ?? path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

// the id of the credential type in data/types/ whose mdoc doctype is `doctype` (the catalog
// names a type by its file), or the doctype itself when none matches
export function typeIdFor(doctype) {
  const dir = path.join(SOURCE_DIR, 'data/types');
  try {
    for (const file of fs.readdirSync(dir)) {
      if (!file.endsWith('.json')) continue;
      const j = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      if (j.mdoc?.doctype === doctype) return j.id ?? file.replace(/\.json$/, '');
    }
  } catch {
    /* no catalog: the doctype itself */
  }
  return doctype;
}

export function makeCardless(binArg, cwd) {
  const bin = path.resolve(binArg);
  // credential types come from the repository's data/types/ whatever the working directory
  const env = { ...process.env, CL_TYPES_DIR: process.env.CL_TYPES_DIR ?? path.join(SOURCE_DIR, 'data/types') };
  const run = (args, opts = {}) => {
    const r = spawnSync(bin, args, { cwd, env, encoding: 'utf8', timeout: 20000, ...opts });
    if (r.error) return { code: -1, out: '', err: String(r.error), args };
    return { code: r.status, out: r.stdout ?? '', err: r.stderr ?? '', args };
  };
  // the verbs a noun offers, from `cardless NOUN --help` (verbs not built yet are absent)
  const verbCache = new Map();
  const hasVerb = (noun, verb) => {
    if (!verbCache.has(noun)) {
      const r = run([noun, '--help']);
      verbCache.set(noun, `${r.out}\n${r.err}`);
    }
    return new RegExp(`^\\s+${verb}\\b`, 'm').test(verbCache.get(noun));
  };
  // run and require exit 0; throws with the output otherwise
  const must = (args) => {
    const r = run(args);
    if (r.code !== 0)
      throw new Error(`cardless ${args.join(' ')} -> exit ${r.code}\n${r.err}${r.out}`);
    return r;
  };
  const json = (r) => {
    try {
      return JSON.parse(r.out);
    } catch {
      return undefined;
    }
  };
  return { run, must, hasVerb, json, bin };
}

// a scratch directory, removed at exit unless CL_INTEROP_KEEP is set (to look at the files)
export function workDir(tag) {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `cl-interop-${tag}-`));
  if (process.env.CL_INTEROP_KEEP) console.log(`${tag}: files kept in ${d}`);
  else process.on('exit', () => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

// ---- keys --------------------------------------------------------------------------------

export function privateJwk(pemFile) {
  const k = crypto.createPrivateKey(fs.readFileSync(pemFile));
  return k.export({ format: 'jwk' });
}
export function publicJwk(pemFile) {
  const k = crypto.createPublicKey(fs.readFileSync(pemFile));
  return k.export({ format: 'jwk' });
}
export function pemCerts(file) {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map(
    (m) => new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')));
}

export const b64u = (buf) => Buffer.from(buf).toString('base64url');
export const fromB64u = (s) => new Uint8Array(Buffer.from(s, 'base64url'));

// ES256 raw (r||s) signer/verifier over node crypto, for JWS and COSE
export function es256Sign(jwk, data) {
  const key = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
  return crypto.sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
}
export function es256Verify(jwk, data, sig) {
  const key = crypto.createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
  return crypto.verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig);
}

// ---- @animo-id/mdoc context over node crypto ---------------------------------------------
// The library leaves every primitive to the caller (MdocContext); this one uses node:crypto
// and node's X509Certificate only, so no third crypto stack enters the comparison.

const HASH = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const ALG_HASH = { ES256: 'sha256', ES384: 'sha384', ES512: 'sha512', HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

function rawEcPoint(jwk) {
  return Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
}

export function animoContext(mdoc, now = () => new Date()) {
  return {
    crypto: {
      random: (n) => new Uint8Array(crypto.randomBytes(n)),
      digest: ({ digestAlgorithm, bytes }) =>
        new Uint8Array(crypto.createHash(HASH[digestAlgorithm]).update(bytes).digest()),
      // ISO 18013-5 9.1.3.5: EMacKey = HKDF-SHA256(ECDH(priv, pub), SHA-256(SessionTranscriptBytes), "EMacKey")
      calculateEphemeralMacKeyJwk: ({ privateKey, publicKey, sessionTranscriptBytes }) => {
        const ecdh = crypto.createECDH('prime256v1');
        ecdh.setPrivateKey(Buffer.from(privateKey));
        const z = ecdh.computeSecret(Buffer.from(publicKey));
        const salt = crypto.createHash('sha256').update(sessionTranscriptBytes).digest();
        const k = Buffer.from(crypto.hkdfSync('sha256', z, salt, Buffer.from('EMacKey'), 32));
        return { kty: 'oct', k: k.toString('base64url'), alg: 'HS256' };
      },
    },
    cose: {
      sign1: {
        sign: ({ sign1, jwk }) => {
          const { data, alg } = sign1.getRawSigningData();
          const key = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
          return new Uint8Array(crypto.sign(ALG_HASH[alg], data, { key, dsaEncoding: 'ieee-p1363' }));
        },
        verify: ({ sign1, jwk, options }) => {
          const { data, alg, signature } = sign1.getRawVerificationData(options);
          const key = crypto.createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
          return crypto.verify(ALG_HASH[alg], data, { key, dsaEncoding: 'ieee-p1363' }, signature);
        },
      },
      mac0: {
        sign: ({ mac0, jwk }) => {
          const { data, alg } = mac0.getRawSigningData();
          return new Uint8Array(crypto.createHmac(ALG_HASH[alg], Buffer.from(jwk.k, 'base64url')).update(data).digest());
        },
        verify: ({ mac0, jwk, options }) => {
          const { data, alg, signature } = mac0.getRawVerificationData(options);
          const tag = crypto.createHmac(ALG_HASH[alg], Buffer.from(jwk.k, 'base64url')).update(data).digest();
          return tag.length === signature.length && crypto.timingSafeEqual(tag, Buffer.from(signature));
        },
      },
    },
    x509: {
      getIssuerNameField: ({ certificate, field }) => {
        const c = new crypto.X509Certificate(Buffer.from(certificate));
        return c.issuer.split('\n').filter((l) => l.startsWith(`${field}=`)).map((l) => l.slice(field.length + 1));
      },
      getPublicKey: ({ certificate }) => new crypto.X509Certificate(Buffer.from(certificate)).publicKey.export({ format: 'jwk' }),
      // x5chain[0] is the DS certificate; it must chain to one of the trusted IACA certificates
      // and every certificate must be valid now (ISO 18013-5 9.3.3)
      validateCertificateChain: ({ trustedCertificates, x5chain }) => {
        const chain = x5chain.map((c) => new crypto.X509Certificate(Buffer.from(c)));
        const anchors = trustedCertificates.map((c) => new crypto.X509Certificate(Buffer.from(c)));
        const t = now();
        for (const c of chain) {
          if (t < new Date(c.validFrom) || t > new Date(c.validTo)) throw new Error(`certificate ${c.subject} not valid at ${t.toISOString()}`);
        }
        let last = chain[chain.length - 1];
        for (let i = 0; i + 1 < chain.length; i++) {
          if (!chain[i].verify(chain[i + 1].publicKey)) throw new Error(`x5chain[${i}] not signed by x5chain[${i + 1}]`);
        }
        const anchor = anchors.find((a) => last.checkIssued(a) && last.verify(a.publicKey));
        if (!anchor) throw new Error('x5chain does not chain to a trusted IACA');
        if (t < new Date(anchor.validFrom) || t > new Date(anchor.validTo)) throw new Error('IACA not valid now');
      },
      getCertificateData: ({ certificate }) => {
        const c = new crypto.X509Certificate(Buffer.from(certificate));
        return {
          issuerName: c.issuer.replace(/\n/g, ', '),
          subjectName: c.subject.replace(/\n/g, ', '),
          serialNumber: c.serialNumber,
          thumbprint: c.fingerprint256.replace(/:/g, '').toLowerCase(),
          notBefore: new Date(c.validFrom),
          notAfter: new Date(c.validTo),
          pem: c.toString(),
        };
      },
    },
  };
}

export { rawEcPoint };

// ---- raw CBOR --------------------------------------------------------------------------------
// The end offset of the CBOR data item starting at `off` (RFC 8949 section 3), so a part of a
// peer's encoding can be cut out with its bytes exactly as the peer wrote them.
export function cborItemEnd(b, off) {
  const ib = b[off];
  const mt = ib >> 5;
  const ai = ib & 0x1f;
  let p = off + 1;
  let arg;
  if (ai < 24) arg = ai;
  else if (ai === 24) arg = b[p++];
  else if (ai === 25) { arg = b.readUInt16BE(p); p += 2; }
  else if (ai === 26) { arg = b.readUInt32BE(p); p += 4; }
  else if (ai === 27) { arg = Number(b.readBigUInt64BE(p)); p += 8; }
  else if (ai === 31) {
    if (mt === 7) throw new Error('cbor: unexpected break');
    while (b[p] !== 0xff) p = cborItemEnd(b, p); // indefinite: items (or chunks) up to the break
    return p + 1;
  } else throw new Error(`cbor: reserved additional information ${ai} at ${off}`);
  switch (mt) {
    case 0: case 1: case 7: return p;
    case 2: case 3: return p + arg;
    case 4: for (let i = 0; i < arg; i++) p = cborItemEnd(b, p); return p;
    case 5: for (let i = 0; i < 2 * arg; i++) p = cborItemEnd(b, p); return p;
    case 6: return cborItemEnd(b, p);
    default: throw new Error('cbor: bad major type');
  }
}
// the head of the definite-length item at `off`: {mt, n (its length or value), p (after it)}
function cborHead(b, off) {
  const mt = b[off] >> 5;
  const ai = b[off] & 0x1f;
  if (ai < 24) return { mt, n: ai, p: off + 1 };
  if (ai === 24) return { mt, n: b[off + 1], p: off + 2 };
  if (ai === 25) return { mt, n: b.readUInt16BE(off + 1), p: off + 3 };
  if (ai === 26) return { mt, n: b.readUInt32BE(off + 1), p: off + 5 };
  throw new Error(`cbor: unsupported head 0x${b[off].toString(16)} at ${off}`);
}
// the raw bytes' range of the value under text key `key` in the CBOR map at `off`
export function cborMapValue(b, off, key) {
  const h = cborHead(b, off);
  if (h.mt !== 5) throw new Error('cbor: expected a map');
  let p = h.p;
  for (let i = 0; i < h.n; i++) {
    const kEnd = cborItemEnd(b, p);
    const kh = cborHead(b, p);
    const k = kh.mt === 3 ? b.subarray(kh.p, kEnd).toString('utf8') : undefined;
    const vEnd = cborItemEnd(b, kEnd);
    if (k === key) return { start: kEnd, end: vEnd };
    p = vEnd;
  }
  return undefined;
}
// the raw bytes' range of element `i` of the CBOR array at `off`
export function cborArrayItem(b, off, i) {
  const h = cborHead(b, off);
  if (h.mt !== 4 || i >= h.n) throw new Error('cbor: expected an array with that element');
  let p = h.p;
  for (let j = 0; j < i; j++) p = cborItemEnd(b, p);
  return { start: p, end: cborItemEnd(b, p) };
}
