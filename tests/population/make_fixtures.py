#!/usr/bin/env python3
"""make_fixtures.py - writes the population fixture feeds: good.jsonl / good.json (the same
households in both forms) and bad.jsonl with bad.expected (one bad record per line, each
between good ones, and the error the loader must report for it). Run from this directory."""
import copy, json

def person(pid, rel, birth, spouse=None, **kw):
    p = {"id": pid, "name": "홍길동", "birth_date": birth, "sex": "M", "relation": rel,
         "spouse_id": spouse, "nationality": "KR",
         "disability": {"registered": False, "severe": False},
         "pregnant": False, "rare_disease": False, "daycare": False, "school": None,
         "birth_order": None, "occupational_pension": False, "consent": {"financial": True},
         "income_monthly": {"earned": 2000000, "business": 0, "public_pension": 0,
                            "private_pension": 0, "property_income": 0, "other": 0},
         "income_annual_2025": {"earned": 24000000, "business": 0, "other_taxable": 0},
         "assets": {"housing": 100000000, "general": 0, "financial": 5000000, "vehicle": 0,
                    "debt": 0}}
    p.update(kw)
    return p

def household(hid, members, **kw):
    h = {"id": hid,
         "region": {"sido": "서울특별시", "sigungu": "종로구", "nblss_tier": "seoul",
                    "pension_tier": "large_city", "child_allowance_area": "capital"},
         "housing": {"tenure": "monthly_rent", "deposit": 10000000, "monthly_rent": 500000},
         "kind": "general", "single_parent": False, "parents_household_id": None,
         "note": "fixture", "members": members}
    h.update(kw)
    return h

good = [
    household("H1", [person("P1", "head", "1961-03-01", "P2"),
                     person("P2", "spouse", "1963-07-15", "P1", sex="F"),
                     person("P3", "child", "2018-03-10", None, school="elementary",
                            birth_order=1, income_monthly=None, assets=None,
                            consent={"financial": False})]),
    household("H2", [person("P4", "head", "2000-01-31",
                            assets={"housing": 5000000000, "general": 0, "financial": 0,
                                    "vehicle": 0, "debt": 4900000000})],
              kind="youth_independent", parents_household_id="H3"),
    household("H3", [person("P5", "head", "1970-02-28", "P6"),
                     person("P6", "spouse", "1972-12-01", "P5", sex="F", nationality="VN")],
              kind="origin", housing={"tenure": "own", "deposit": None, "monthly_rent": None}),
    household("H4", [person("P7", "head", "1950-05-05", income_annual_2025=None)],
              kind="youth_independent", parents_household_id="H999"),
]

with open("good.jsonl", "w") as f:
    f.write(json.dumps({"schema": "cardless-welfare-citizens/1",
                        "evaluation_date": "2026-03-01"}) + "\n")
    for h in good:
        f.write(json.dumps(h, ensure_ascii=False) + "\n")
with open("good.json", "w") as f:
    json.dump({"schema": "cardless-welfare-citizens/1", "evaluation_date": "2026-03-01",
               "households": good}, f, ensure_ascii=False, indent=1)
    f.write("\n")

def ok(hid, pid):
    return household(hid, [person(pid, "head", "1980-01-01")])

def bad(hid, pid, change):
    h = ok(hid, pid)
    change(h)
    return h

def setp(path, value):
    def f(h):
        o = h
        for k in path[:-1]:
            o = o[k]
        o[path[-1]] = value
    return f

def delp(path):
    def f(h):
        o = h
        for k in path[:-1]:
            o = o[k]
        del o[path[-1]]
    return f

M0 = ["members", 0]
cases = [
    ("B1", setp(M0 + ["birth_date"], "1980-02-30"), 'id "B1": members[0].birth_date', "not a date"),
    ("B2", setp(["kind"], "commune"), 'id "B2": kind', "unknown value"),
    ("B3", setp(["region", "nblss_tier"], "mars"), 'id "B3": region.nblss_tier', "unknown value"),
    ("B4", setp(M0 + ["income_monthly", "earned"], -1), 'id "B4": members[0].income_monthly.earned', "negative amount"),
    ("B5", setp(M0 + ["income_monthly", "other"], 1.5), 'id "B5": members[0].income_monthly.other', "not an integer"),
    ("B6", setp(M0 + ["spouse_id"], "PX"), 'id "B6": members[0].spouse_id', "not a member of the household"),
    ("B7", delp(M0 + ["birth_date"]), 'id "B7": members[0].birth_date', "missing field"),
    ("B8", delp(["region"]), 'id "B8": region', "missing field"),
    ("B9", setp(["members"], []), 'id "B9": members', "no members"),
    ("B10", setp(M0 + ["relation"], "child"), 'id "B10": members', "no member is the head"),
    ("B11", setp(M0 + ["assets"], {"housing": 0}), 'id "B11": members[0].assets.general', "missing field"),
    ("B12", setp(["single_parent"], "yes"), 'id "B12": single_parent', "not a boolean"),
    ("B13", setp(M0 + ["nationality"], "Korea"), 'id "B13": members[0].nationality', "not an ISO 3166-1 alpha-2 code"),
    ("B14", setp(["housing", "deposit"], "many"), 'id "B14": housing.deposit', "not an integer"),
    ("B15", setp(M0 + ["birth_order"], 0), 'id "B15": members[0].birth_order', "not a positive integer"),
    ("B16", setp(M0 + ["consent"], {"financial": None}), 'id "B16": members[0].consent.financial', "not a boolean"),
    ("B17", setp(M0 + ["assets", "debt"], 10**16), 'id "B17": members[0].assets.debt', "amount over 10^15 won"),
    ("B18", setp(M0 + ["id"], "GP0"), 'id "B18": members[0].id', "person id already in another household"),
]
lines, expected = [], []
n = 0
def add_good(i):
    global n
    lines.append(json.dumps(ok("G%d" % i, "GP%d" % i), ensure_ascii=False)); n += 1
for i, (hid, change, where, msg) in enumerate(cases):
    add_good(i)
    lines.append(json.dumps(bad(hid, "BP%s" % hid[1:], change), ensure_ascii=False))
    expected.append("households[%d] %s: %s" % (n, where, msg)); n += 1
# the id itself is bad: only the index is named
lines.append(json.dumps(bad("H 1", "BPX1", lambda h: None), ensure_ascii=False))
expected.append("households[%d]: id: not an id: only printable ASCII without spaces" % n); n += 1
# a duplicate household id (G0 is loaded above)
lines.append(json.dumps(ok("G0", "BPX2"), ensure_ascii=False))
expected.append('households[%d] id "G0": id: duplicate household id' % n); n += 1
# two members with one id
h = ok("B19", "BP19"); h["members"].append(person("BP19", "child", "2010-01-01"))
lines.append(json.dumps(h, ensure_ascii=False))
expected.append('households[%d] id "B19": members[1].id: duplicate person id in the household' % n); n += 1
# a spouse who does not name the person back
h = ok("B20", "BP20"); h["members"][0]["spouse_id"] = "BP21"
h["members"].append(person("BP21", "spouse", "1980-01-01"))
lines.append(json.dumps(h, ensure_ascii=False))
expected.append('households[%d] id "B20": members[0].spouse_id: not reciprocated by the spouse' % n); n += 1
# broken JSON on its line: skipped, the next line still loads
lines.append('{"id":"B21","region":{')
expected.append('households[%d] id "B21": region: bad JSON: expected a member name' % n); n += 1
# a duplicate field
lines.append('{"id":"B22","kind":"general","kind":"general"}')
expected.append('households[%d] id "B22": kind: duplicate field' % n); n += 1
# not an object
lines.append('[1,2]')
expected.append('households[%d]: not an object' % n); n += 1
add_good(99)
with open("bad.jsonl", "w") as f:
    f.write("\n".join(lines) + "\n")
with open("bad.expected", "w") as f:
    f.write("\n".join(expected) + "\n")
print("good: %d households; bad.jsonl: %d records, %d bad" % (len(good), n, len(expected)))
