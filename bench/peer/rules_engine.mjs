// rules_engine.mjs --data FEED.jsonl [--persons N] [--json FILE] - the peer bench/ prints beside
// cardless: json-rules-engine (npm, pinned in package-lock.json) evaluating the 12 benefits of
// specs/welfare-2026.md §4 on the people of a synthetic feed (`bench_population --keep` or
// `cardless benefits synth`), and the same conditions as plain JavaScript functions.
//
// Each person is one json-rules-engine run over 12 rules (one per benefit), so a "person-rule
// check" is one (person, benefit) decision. Derived facts (age, month index, recognized
// incomes, thresholds, household aggregates) are computed in plain JavaScript before the clock
// starts, once per household: the engine only compares facts, which is the part it does.
// Simplifications (the engine has no third truth value): missing consent or missing data make
// a fact undefined, which the engine treats as a failed condition, so "unknown" collapses into
// "no" here; amounts are not computed; money uses JavaScript numbers (doubles).
// Prints one JSON record {"name","value","unit","source"} per line on stdout; with --json FILE
// it also appends them to the JSON array in FILE (build/bench.json).
import fs from 'node:fs';
import readline from 'node:readline';
import { Engine } from 'json-rules-engine';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const dataFile = opt('--data');
const maxPersons = Number(opt('--persons', 10000));
const jsonFile = opt('--json');
if (!dataFile) {
  console.error('usage: rules_engine.mjs --data FEED.jsonl [--persons N] [--json FILE]');
  process.exit(2);
}

// ---- parameters, 2026 (specs/welfare-2026.md §4, §5) ----
const MEDIAN = [0, 2564238, 4199292, 5359036, 6494738, 7556719, 8555952];
const median = (n) => (n <= 6 ? MEDIAN[n] : MEDIAN[6] + (n - 6) * (MEDIAN[6] - MEDIAN[5]));
const pct = (n, p) => Math.floor((median(n) * p) / 100 + 0.5);
const CAP = { seoul: 172e6, gyeonggi: 151e6, metro: 146e6, other: 112e6 };
const BASE = { seoul: 99e6, gyeonggi: 80e6, metro: 77e6, other: 53e6 };
const PBASE = { large_city: 135e6, small_city: 85e6, rural: 72.5e6 };

const day = (s) => Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10)) / 864e5;
function age(birth, at) {
  let a = +at.slice(0, 4) - +birth.slice(0, 4);
  if (at.slice(5) < birth.slice(5)) a--;
  return a;
}
const monthIndex = (birth, at) =>
  +at.slice(0, 4) * 12 + +at.slice(5, 7) - (+birth.slice(0, 4) * 12 + +birth.slice(5, 7));

// ---- derived facts, plain JavaScript, once per household ----
function nblss(h, at) {
  let inc = 0, H = 0, G = 0, F = 0, V = 0, D = 0;
  for (const p of h.members) {
    const adult = age(p.birth_date, at) >= 19;
    if ((adult && !p.consent?.financial) || !p.income_monthly || !p.assets) return undefined;
    const m = p.income_monthly;
    inc += 0.7 * m.earned + m.business + m.public_pension + m.private_pension + m.property_income + m.other;
    H += p.assets.housing; G += p.assets.general; F += p.assets.financial;
    V += p.assets.vehicle; D += p.assets.debt;
  }
  const t = h.region.nblss_tier;
  let H1 = Math.min(H, CAP[t]), G1 = G + Math.max(0, H - CAP[t]), F1 = Math.max(0, F - 5e6);
  let pool = BASE[t] + D;
  const take = (x) => { const d = Math.min(x, pool); pool -= d; return x - d; };
  const H2 = take(H1), G2 = take(G1), F2 = take(F1);
  return { inc, ri: inc + 0.0104 * H2 + 0.0417 * G2 + 0.0626 * F2 + V, net: H + G + F + V - D };
}

function pensionRi(h, p, at, deduction) {
  const unit = [p];
  if (p.spouse_id) unit.push(h.members.find((q) => q.id === p.spouse_id));
  let inc = 0, prop = 0, fin = 0, debt = 0;
  for (const q of unit) {
    if (!q || !q.consent?.financial || !q.income_monthly || !q.assets) return undefined;
    const m = q.income_monthly;
    inc += 0.7 * Math.max(0, m.earned - deduction) + m.business + m.public_pension + m.private_pension + m.property_income + m.other;
    prop += q.assets.housing + q.assets.general + q.assets.vehicle;
    fin += q.assets.financial;
    debt += q.assets.debt;
  }
  const base = PBASE[h.region.pension_tier];
  const property = Math.max(0, Math.max(0, prop - base) + Math.max(0, fin - 20e6) - debt);
  return inc + (property * 0.04) / 12;
}

function householdFacts(h, byId, at) {
  const n = h.members.length;
  const nb = nblss(h, at);
  const f = {
    size: n,
    allKorean: h.members.every((p) => p.nationality === 'KR'),
    ri: nb?.ri,
    th32: pct(n, 32), th40: pct(n, 40), th48: pct(n, 48), th50: pct(n, 50),
    hasStudent: h.members.some((p) => ['elementary', 'middle', 'high'].includes(p.school)),
    trait: h.single_parent || h.kind === 'grandparent_grandchild' ||
      h.members.some((p) => { const a = age(p.birth_date, at); return a >= 65 || a < 7 || p.disability?.registered || p.pregnant || p.rare_disease; }),
    tenure: h.housing.tenure, deposit: h.housing.deposit ?? 0, rent: h.housing.monthly_rent ?? 0,
    youthInc: nb?.inc, youthNet: nb?.net, th60: pct(n, 60),
    ownsHome: h.housing.tenure === 'own' || h.members.reduce((s, p) => s + (p.assets?.housing ?? 0), 0) > (h.housing.deposit ?? 0),
  };
  f.nblssAny = f.ri !== undefined && f.allKorean && f.ri <= f.th50 && (f.ri <= f.th48 || f.hasStudent);
  const parents = h.parents_household_id ? byId.get(h.parents_household_id) : undefined;
  if (parents) {
    const pn = nblss(parents, at);
    if (pn && nb) { f.originInc = nb.inc + pn.inc; f.originNet = nb.net + pn.net; f.th100 = median(n + parents.members.length); }
  }
  // 근로장려금 facts for the head
  const head = h.members.find((p) => p.relation === 'head');
  const spouse = head.spouse_id ? h.members.find((p) => p.id === head.spouse_id) : undefined;
  const ia = [head, spouse].filter(Boolean);
  if (ia.every((p) => p.consent?.financial && p.income_annual_2025) && h.members.every((p) => p.assets)) {
    const eb = (p) => p.income_annual_2025.earned + p.income_annual_2025.business;
    const type = spouse && eb(head) >= 3e6 && eb(spouse) >= 3e6 ? 'two'
      : spouse || h.members.some((p) => age(p.birth_date, at) < 18 || (p.relation === 'parent' && age(p.birth_date, at) >= 70)) ? 'one' : 'single';
    f.ebSum = ia.reduce((s, p) => s + eb(p), 0);
    f.total = ia.reduce((s, p) => s + eb(p) + p.income_annual_2025.other_taxable, 0);
    f.eitcCap = { single: 22e6, one: 32e6, two: 44e6 }[type];
    f.eitcProperty = h.members.reduce((s, p) => s + p.assets.housing + p.assets.general + p.assets.financial + p.assets.vehicle, 0);
  }
  return f;
}

function personFacts(h, hf, p, at, atDay) {
  const a = age(p.birth_date, at);
  const bd = day(p.birth_date);
  const fb = day(`${+p.birth_date.slice(0, 4) + 1}${p.birth_date.slice(4)}`);
  return {
    ...hf,
    age: a,
    kr: p.nationality === 'KR',
    occ: p.occupational_pension,
    severe: p.disability?.severe === true,
    hasSpouse: !!p.spouse_id,
    riPension: pensionRi(h, p, at, 1160000),
    riDisability: pensionRi(h, p, at, 1160000),
    bpThreshold: p.spouse_id ? 3952000 : 2470000,
    dpThreshold: p.spouse_id ? 2240000 : 1400000,
    monthIndex: monthIndex(p.birth_date, at),
    birthYear: +p.birth_date.slice(0, 4),
    birthDay: bd,
    atDay,
    firstBirthday: Number.isNaN(fb) ? bd + 365 : fb,
    birthOrder: p.birth_order ?? undefined,
    isHead: p.relation === 'head',
    isYouthHead: p.relation === 'head' && h.kind === 'youth_independent',
  };
}

// ---- the 12 rules ----
const c = (fact, operator, value) => ({ fact, operator, value });
const f = (name) => ({ fact: name });
const rules = [
  ['livelihood', [c('allKorean', 'equal', true), c('ri', 'lessThanInclusive', f('th32'))]],
  ['medical_aid', [c('allKorean', 'equal', true), c('ri', 'lessThanInclusive', f('th40'))]],
  ['housing_benefit', [c('allKorean', 'equal', true), c('ri', 'lessThanInclusive', f('th48'))]],
  ['education_benefit', [c('allKorean', 'equal', true), c('hasStudent', 'equal', true), c('ri', 'lessThanInclusive', f('th50'))]],
  ['basic_pension', [c('age', 'greaterThanInclusive', 65), c('kr', 'equal', true), c('occ', 'equal', false), c('riPension', 'lessThanInclusive', f('bpThreshold'))]],
  ['disability_pension', [c('severe', 'equal', true), c('age', 'greaterThanInclusive', 18), c('age', 'lessThanInclusive', 64), c('kr', 'equal', true), c('riDisability', 'lessThanInclusive', f('dpThreshold'))]],
  ['child_allowance', [c('kr', 'equal', true), { any: [c('monthIndex', 'lessThanInclusive', 107), c('birthYear', 'equal', 2017)] }, c('monthIndex', 'greaterThanInclusive', 0)]],
  ['parent_benefit', [c('kr', 'equal', true), c('monthIndex', 'greaterThanInclusive', 0), c('monthIndex', 'lessThanInclusive', 23)]],
  ['first_meeting_voucher', [c('kr', 'equal', true), c('birthYear', 'greaterThanInclusive', 2024), c('atDay', 'lessThan', f('firstBirthday')), c('birthOrder', 'greaterThanInclusive', 1)]],
  ['youth_rent', [c('isYouthHead', 'equal', true), c('age', 'greaterThanInclusive', 19), c('age', 'lessThanInclusive', 34), c('tenure', 'equal', 'monthly_rent'), c('deposit', 'lessThanInclusive', 50e6), c('rent', 'lessThanInclusive', 700000), c('ownsHome', 'equal', false), c('youthInc', 'lessThanInclusive', f('th60')), c('youthNet', 'lessThanInclusive', 122e6), c('originInc', 'lessThanInclusive', f('th100')), c('originNet', 'lessThanInclusive', 470e6)]],
  ['energy_voucher', [c('nblssAny', 'equal', true), c('trait', 'equal', true)]],
  ['eitc', [c('isHead', 'equal', true), c('kr', 'equal', true), c('ebSum', 'greaterThan', 0), c('total', 'lessThan', f('eitcCap')), c('eitcProperty', 'lessThan', 240e6)]],
];

// the same decisions as plain functions (the "hand-written JavaScript" line)
const plain = [
  (x) => x.allKorean && x.ri <= x.th32,
  (x) => x.allKorean && x.ri <= x.th40,
  (x) => x.allKorean && x.ri <= x.th48,
  (x) => x.allKorean && x.hasStudent && x.ri <= x.th50,
  (x) => x.age >= 65 && x.kr && !x.occ && x.riPension <= x.bpThreshold,
  (x) => x.severe && x.age >= 18 && x.age <= 64 && x.kr && x.riDisability <= x.dpThreshold,
  (x) => x.kr && x.monthIndex >= 0 && (x.monthIndex <= 107 || x.birthYear === 2017),
  (x) => x.kr && x.monthIndex >= 0 && x.monthIndex <= 23,
  (x) => x.kr && x.birthYear >= 2024 && x.atDay < x.firstBirthday && x.birthOrder >= 1,
  (x) => x.isYouthHead && x.age >= 19 && x.age <= 34 && x.tenure === 'monthly_rent' && x.deposit <= 50e6 && x.rent <= 700000 && !x.ownsHome && x.youthInc <= x.th60 && x.youthNet <= 122e6 && x.originInc <= x.th100 && x.originNet <= 470e6,
  (x) => x.nblssAny && x.trait,
  (x) => x.isHead && x.kr && x.ebSum > 0 && x.total < x.eitcCap && x.eitcProperty < 240e6,
];

// ---- read the feed (JSON Lines with a header line) ----
const households = [];
let at = '2026-03-01';
let persons = 0;
const rl = readline.createInterface({ input: fs.createReadStream(dataFile), crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  const o = JSON.parse(line);
  if (o.schema) { at = o.evaluation_date ?? at; continue; }
  households.push(o);
  persons += o.members.length;
  if (persons >= maxPersons + 64) break; // a few more, for parents' households further on
}
rl.close();
const byId = new Map(households.map((h) => [h.id, h]));
const atDay = day(at);
const people = [];
for (const h of households) {
  const hf = householdFacts(h, byId, at);
  for (const p of h.members) {
    if (people.length < maxPersons) people.push(personFacts(h, hf, p, at, atDay));
  }
}

const engine = new Engine([], { allowUndefinedFacts: true });
for (const [name, all] of rules) engine.addRule({ name, conditions: { all }, event: { type: name } });

// CPU seconds of this process, as `openssl speed` and bench/bench.c count (a shared machine
// would otherwise charge other processes' time to the peer)
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

// warm up, then time the engine over every person
for (let i = 0; i < Math.min(200, people.length); i++) await engine.run(people[i]);
let eligible = 0;
let t0 = cpu();
for (const x of people) eligible += (await engine.run(x)).events.length;
let secs = cpu() - t0;
const engineRate = (people.length * rules.length) / secs;

let plainEligible = 0;
const reps = 20;
t0 = cpu();
for (let r = 0; r < reps; r++)
  for (const x of people) for (const fn of plain) plainEligible += fn(x) ? 1 : 0;
secs = cpu() - t0;
const plainRate = (reps * people.length * plain.length) / secs;
if (plainEligible !== reps * eligible) console.error(`peer: engine ${eligible} and plain ${plainEligible / reps} eligible decisions differ`);

const out = [
  { name: 'peer_json_rules_engine_person_rule_checks', value: engineRate, unit: 'checks/s', source: 'json-rules-engine 7.3.1, 12 rules, one core', persons: people.length, eligible },
  { name: 'peer_plain_js_person_rule_checks', value: plainRate, unit: 'checks/s', source: `node ${process.version}, the same 12 conditions as functions`, persons: people.length },
];
for (const r of out) console.log(JSON.stringify(r));
if (jsonFile) {
  let all = [];
  try { all = JSON.parse(fs.readFileSync(jsonFile, 'utf8')); } catch { all = []; }
  if (!Array.isArray(all)) all = [];
  fs.writeFileSync(jsonFile, JSON.stringify(all.concat(out), null, 2) + '\n');
}
