// status.mjs CARDLESS - Token Status List (draft-ietf-oauth-status-list) interoperability with
// @sd-jwt/jwt-status-list 0.19.0, both ways:
//   1. a list made and signed by cardless (`status new|set|sign --format jwt`) is read by the
//      peer (getListFromStatusListJWT + getStatus) entry by entry, its ES256 signature checked
//      with node crypto, its header and claims as the draft sets them;
//   2. a list made by the peer (StatusList + createHeaderAndPayload, signed ES256 with node
//      crypto) is read by `cardless status get`, which must also refuse another uri, an index
//      out of range and an expired list.
// 1, 2, 4 and 8 bits per entry.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import * as S from './sdjwt_peers.mjs';
import { Tally, makeCardless, privateJwk, publicJwk, workDir } from './lib.mjs';

const t = new Tally('interop_status');
const w = workDir('status');
const cl = makeCardless(process.argv[2], w);
const f = (n) => path.join(w, n);
const URI = 'https://status.interop.example/lists/7';
const NAMES = { 0: 'VALID', 1: 'INVALID', 2: 'SUSPENDED' };

// a list of `size` entries, all 0 but three: 1 near the start, 2 (or 1) in the middle and the
// largest value that fits in `bits` at the last index; few, as each costs a `status set`
function values(bits, size) {
  const max = (1 << bits) - 1;
  const v = new Array(size).fill(0);
  v[3] = 1;
  v[Math.floor(size / 2)] = Math.min(2, max);
  v[size - 1] = max;
  return v;
}

async function main() {
  cl.must(['key', 'new', '--out', f('issuer.pem')]);
  cl.must(['key', 'pub', '--in', f('issuer.pem'), '--out', f('issuer.pub.pem')]);
  const jwk = privateJwk(f('issuer.pem'));
  const pub = publicJwk(f('issuer.pub.pem'));

  // ---- control: the peer reads its own list ------------------------------------------------
  await t.check('control: the peer reads back the list it signed', () => {
    const want = values(2, 40);
    const jwt = S.peerStatusListJwt({ values: want, bits: 2, uri: URI, iss: 'x', jwk });
    const l = S.getListFromStatusListJWT(jwt);
    return S.verifyJwt(jwt, pub) && want.every((v, i) => l.getStatus(i) === v);
  });

  // ---- 1. cardless makes, the peer reads ----------------------------------------------------
  const canMake = ['new', 'set', 'sign'].every((v) => cl.hasVerb('status', v));
  if (!canMake) t.skip('a cardless list read by the peer (cardless status new|set|sign)');
  else {
    for (const bits of [1, 2, 4, 8]) {
      const size = 200;
      const want = values(bits, size);
      const list = f(`cl-${bits}.json`);
      let made = cl.run(['status', 'new', '--bits', String(bits), '--size', String(size), '--out', list]).code === 0;
      for (let i = 0; made && i < size; i++) {
        if (want[i] !== 0) made = cl.run(['status', 'set', '--list', list, '--index', String(i), '--value', String(want[i])]).code === 0;
      }
      const sign = made && cl.run(['status', 'sign', '--list', list, '--key', f('issuer.pem'), '--uri', URI, '--ttl', '600', '--format', 'jwt', '--out', f(`cl-${bits}.jwt`)]);
      if (!t.ok(`cardless status new/set/sign --format jwt (${bits} bit${bits > 1 ? 's' : ''})`, made && sign.code === 0, sign ? sign.err + sign.out : 'new/set failed')) continue;
      const jwt = fs.readFileSync(f(`cl-${bits}.jwt`), 'utf8').trim();
      t.ok(`cardless list (${bits}): ES256 signature verifies in node crypto`, S.verifyJwt(jwt, pub));
      const h = S.decodeJwtPart(jwt, 0);
      const p = S.decodeJwtPart(jwt, 1);
      t.ok(`cardless list (${bits}): header typ statuslist+jwt, alg ES256; sub = uri, iat, ttl, status_list.bits`,
        h.typ === 'statuslist+jwt' && h.alg === 'ES256' && p.sub === URI && Number.isInteger(p.iat) && p.ttl === 600 && p.status_list?.bits === bits, { h, p });
      await t.check(`cardless list (${bits}): the peer reads all ${size} entries as set`, () => {
        const l = S.getListFromStatusListJWT(jwt);
        const got = want.map((_, i) => l.getStatus(i));
        const bad = got.map((g, i) => [i, g, want[i]]).filter(([, g, x]) => g !== x);
        return bad.length === 0 && l.getBitsPerStatus() === bits ? true : { firstMismatches: bad.slice(0, 5) };
      });
    }
  }

  // ---- 2. the peer makes, cardless reads ----------------------------------------------------
  if (!cl.hasVerb('status', 'get')) t.skip('a peer list read by cardless (cardless status get)');
  else {
    for (const bits of [1, 2, 4, 8]) {
      const want = values(bits, 120);
      fs.writeFileSync(f(`peer-${bits}.jwt`), S.peerStatusListJwt({ values: want, bits, uri: URI, iss: 'https://status.interop.example', jwk, ttl: 300 }));
      const probe = [0, 3, 119];
      let allOk = true;
      const details = [];
      for (const i of probe) {
        const r = cl.run(['status', 'get', '--token', f(`peer-${bits}.jwt`), '--key', f('issuer.pub.pem'), '--index', String(i), '--uri', URI, '--json']);
        const j = cl.json(r);
        const okName = want[i] in NAMES ? j?.name === NAMES[want[i]] : typeof j?.name === 'string';
        if (!(r.code === 0 && j?.index === i && j?.status === want[i] && okName)) {
          allOk = false;
          details.push({ index: i, want: want[i], exit: r.code, out: r.out, err: r.err });
        }
      }
      t.ok(`peer list (${bits} bit${bits > 1 ? 's' : ''}): cardless status get --json reads entries ${probe.join(', ')}`, allOk, details);
      const mid = want.length / 2;
      const plain = cl.run(['status', 'get', '--token', f(`peer-${bits}.jwt`), '--key', f('issuer.pub.pem'), '--index', String(mid), '--uri', URI]);
      const o = plain.out;
      t.ok(`peer list (${bits}): cardless status get (no --json) prints entry ${mid}'s value`,
        plain.code === 0 && (o.includes(String(want[mid])) || (NAMES[want[mid]] !== undefined && o.includes(NAMES[want[mid]]))), o + plain.err);
    }
    const file = f('peer-2.jwt');
    const other = cl.run(['status', 'get', '--token', file, '--key', f('issuer.pub.pem'), '--index', '3', '--uri', 'https://status.interop.example/lists/8']);
    t.ok('peer list: cardless refuses another uri (exit 1)', other.code === 1, other.out + other.err);
    const range = cl.run(['status', 'get', '--token', file, '--key', f('issuer.pub.pem'), '--index', '100000', '--uri', URI]);
    t.ok('peer list: cardless refuses an index out of range (exit 1)', range.code === 1, range.out + range.err);
    fs.writeFileSync(f('peer-expired.jwt'), S.peerStatusListJwt({ values: values(2, 64), bits: 2, uri: URI, iss: 'x', jwk, expSeconds: -60 }));
    const expired = cl.run(['status', 'get', '--token', f('peer-expired.jwt'), '--key', f('issuer.pub.pem'), '--index', '3', '--uri', URI]);
    t.ok('peer list: cardless refuses an expired list (exit 1)', expired.code === 1, expired.out + expired.err);
    const otherKey = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    fs.writeFileSync(f('other.pub.pem'), otherKey.publicKey.export({ format: 'pem', type: 'spki' }));
    const wrongKey = cl.run(['status', 'get', '--token', file, '--key', f('other.pub.pem'), '--index', '3', '--uri', URI]);
    t.ok('peer list: cardless refuses a list under another key (exit 1)', wrongKey.code === 1, wrongKey.out + wrongKey.err);
  }
  t.finish();
}

main().catch((e) => {
  t.ok('interop_status ran to the end', false, e.stack);
  t.finish();
});
