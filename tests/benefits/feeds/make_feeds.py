#!/usr/bin/env python3
"""Write the hand-made feeds of tests/benefits/*.test (welfare-2026.md section 1 shape).

Each household names the case it tests in "note"; the expected values are computed by hand
in the .test files. Run from this directory: python3 make_feeds.py
"""
import json

ZERO_IM = dict(earned=0, business=0, public_pension=0, private_pension=0, property_income=0, other=0)
ZERO_IA = dict(earned=0, business=0, other_taxable=0)
ABSENT = object()  # a housing amount left out of the feed: missing data, never 0
ZERO_AS = dict(housing=0, general=0, financial=0, vehicle=0, debt=0)


def person(pid, birth, relation="head", **kw):
    p = {
        "id": pid, "name": "테스트", "birth_date": birth, "sex": kw.pop("sex", "F"),
        "relation": relation, "spouse_id": kw.pop("spouse", None),
        "nationality": kw.pop("nationality", "KR"),
        "disability": {"registered": kw.pop("disabled", False), "severe": kw.pop("severe", False)},
        "pregnant": kw.pop("pregnant", False), "rare_disease": False, "daycare": False,
        "school": kw.pop("school", None), "birth_order": kw.pop("birth_order", None),
        "occupational_pension": kw.pop("occ", False),
        "consent": {"financial": kw.pop("consent", True)},
        "income_monthly": dict(ZERO_IM, **kw.pop("im", {})) if "im_null" not in kw else None,
        "income_annual_2025": dict(ZERO_IA, **kw.pop("ia", {})) if "ia_null" not in kw else None,
        "assets": dict(ZERO_AS, **kw.pop("assets", {})) if "as_null" not in kw else None,
    }
    kw.pop("im_null", None), kw.pop("ia_null", None), kw.pop("as_null", None)
    assert not kw, kw
    return p


def household(hid, note, members, nblss="other", pension="rural", area="capital",
              tenure="own", deposit=0, rent=0, kind="general", single_parent=False, parents=None):
    return {
        "id": hid,
        "region": {"sido": "테스트시", "sigungu": "테스트구", "nblss_tier": nblss,
                   "pension_tier": pension, "child_allowance_area": area},
        "housing": {k: v for k, v in (("tenure", tenure), ("deposit", deposit),
                                      ("monthly_rent", rent)) if v is not ABSENT},
        "kind": kind, "single_parent": single_parent, "parents_household_id": parents,
        "note": note, "members": members,
    }


def write(name, households):
    doc = {"schema": "cardless-welfare-citizens/1", "evaluation_date": "2026-03-01",
           "households": households}
    with open(name, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")


P = person
H = household

write("nblss.json", [
    H("N1", "other income exactly at the 1-person 32% threshold",
      [P("N1a", "1976-05-05", im={"other": 820_556})]),
    H("N2", "one won over the 1-person 32% threshold",
      [P("N2a", "1976-05-05", im={"other": 820_557})]),
    H("N3", "earned 1,172,223: 0.7x = 820,556.1, over by a tenth of a won",
      [P("N3a", "1976-05-05", im={"earned": 1_172_223})]),
    H("N4", "earned 1,172,222: 0.7x = 820,555.4, amount floor(0.6) = 0",
      [P("N4a", "1976-05-05", im={"earned": 1_172_222})]),
    H("N5", "other income 500,000, no assets",
      [P("N5a", "1976-05-05", im={"other": 500_000})]),
    H("N6", "property: tier other, housing 100,000,000 -> 488,800/month + income 331,756",
      [P("N6a", "1976-05-05", im={"other": 331_756}, assets={"housing": 100_000_000})]),
    H("N7", "as N6 with income 331,757: one won over",
      [P("N7a", "1976-05-05", im={"other": 331_757}, assets={"housing": 100_000_000})]),
    H("N8", "adult member without consent (data present)",
      [P("N8a", "1970-01-01", consent=True), P("N8b", "1972-01-01", "spouse", consent=False)]),
    H("N9", "consent given, child's income_monthly null",
      [P("N9a", "1980-01-01", im={"other": 100_000}),
       P("N9b", "2016-06-01", "child", im_null=True, school="elementary")]),
    H("N10", "a foreign member and no consent: nationality fails",
      [P("N10a", "1980-01-01", consent=False), P("N10b", "1982-01-01", "spouse", nationality="VN")]),
    H("N11", "education: parent + elementary + high school, other 1,000,000",
      [P("N11a", "1980-01-01", im={"other": 1_000_000}),
       P("N11b", "2016-06-01", "child", school="elementary"),
       P("N11c", "2010-06-01", "child", school="high")]),
    H("N12", "7 members: extended median 9,555,185; 32% = 3,057,659",
      [P("N12a", "1970-01-01", im={"other": 3_057_659})] +
      [P("N12%s" % c, "2010-01-0%d" % (i + 1), "child") for i, c in enumerate("bcdef")] +
      [P("N12g", "1940-01-01", "parent")]),
    H("N13", "other income 800,000: 2025 threshold 765,444, 2026 820,556",
      [P("N13a", "1976-05-05", im={"other": 800_000})]),
    H("N14", "energy: 70-year-old, livelihood-eligible",
      [P("N14a", "1955-05-05", im={"other": 500_000})]),
    H("N15", "energy: trait (pregnant) but consent missing",
      [P("N15a", "1990-05-05", pregnant=True, consent=False)]),
])

write("pension.json", [
    H("B1", "born 1961-03-01: 65 on 2026-03-01",
      [P("B1a", "1961-03-01")]),
    H("B2", "born 1961-03-02: still 64 on 2026-03-01",
      [P("B2a", "1961-03-02")]),
    H("B3", "single, other income exactly 2,470,000",
      [P("B3a", "1950-01-01", im={"other": 2_470_000})]),
    H("B4", "single, other income 2,470,001",
      [P("B4a", "1950-01-01", im={"other": 2_470_001})]),
    H("B5", "couple both 66, 1,976,000 each: 3,952,000 at the couple threshold",
      [P("B5a", "1960-01-01", "head", spouse="B5b", sex="M", im={"other": 1_976_000}),
       P("B5b", "1960-01-01", "spouse", spouse="B5a", im={"other": 1_976_000})]),
    H("B6", "couple, spouse 60: couple threshold, no reduction",
      [P("B6a", "1955-01-01", "head", spouse="B6b", sex="M", im={"other": 2_500_000}),
       P("B6b", "1966-01-01", "spouse", spouse="B6a")]),
    H("B7", "single with 2,500,000: over the single threshold",
      [P("B7a", "1955-01-01", im={"other": 2_500_000})]),
    H("B8", "40-year-old without consent",
      [P("B8a", "1986-01-01", consent=False)]),
    H("B9", "70-year-old without consent",
      [P("B9a", "1956-01-01", consent=False)]),
    H("B10", "70-year-old, consent, assets null",
      [P("B10a", "1956-01-01", as_null=True)]),
    H("B11", "occupational pension",
      [P("B11a", "1950-01-01", occ=True)]),
    H("B12", "large_city property 75,000,000 -> 250,000/month + other 2,220,000",
      [P("B12a", "1950-01-01", im={"other": 2_220_000},
         assets={"housing": 200_000_000, "financial": 30_000_000})], pension="large_city"),
    H("B13", "earned 3,688,571: 0.7*(3,688,571-1,160,000) = 1,769,999.7 + other 700,000",
      [P("B13a", "1950-01-01", im={"earned": 3_688_571, "other": 700_000})]),
    H("B14", "single 2,300,000: over 2025 (2,280,000), under 2026 (2,470,000)",
      [P("B14a", "1950-01-01", im={"other": 2_300_000})]),
    H("D1", "severe disability, 30, income exactly 1,400,000",
      [P("D1a", "1996-01-01", severe=True, disabled=True, im={"other": 1_400_000})]),
    H("D2", "severe disability, 30, income 1,400,001",
      [P("D2a", "1996-01-01", severe=True, disabled=True, im={"other": 1_400_001})]),
    H("D3", "severe disability, 17",
      [P("D3a", "2008-06-01", severe=True, disabled=True)]),
    H("D4", "mild disability, 30",
      [P("D4a", "1996-01-01", disabled=True)]),
])

write("children.json", [
    H("C1", "born 2018-03-10: month index 96, capital",
      [P("C1p", "1985-01-01"), P("C1a", "2018-03-10", "child", birth_order=1)]),
    H("C2", "born 2017-01-05: 2017 cohort, non_capital (+5,000)",
      [P("C2p", "1985-01-01"), P("C2a", "2017-01-05", "child", birth_order=1)], area="non_capital"),
    H("C3", "born 2016-12-31: month index 111, not the cohort",
      [P("C3p", "1985-01-01"), P("C3a", "2016-12-31", "child", birth_order=1)]),
    H("C4", "foreign child born 2020",
      [P("C4p", "1985-01-01"), P("C4a", "2020-05-05", "child", nationality="US", birth_order=1)]),
    H("C5", "born 2025-03-01: month index 12 on 2026-03-01, first birthday",
      [P("C5p", "1990-01-01"), P("C5a", "2025-03-01", "child", birth_order=1)]),
    H("C6", "born 2025-04-30: month index 11",
      [P("C6p", "1990-01-01"), P("C6a", "2025-04-30", "child", birth_order=2)]),
    H("C7", "born 2024-04-15: month index 23",
      [P("C7p", "1990-01-01"), P("C7a", "2024-04-15", "child", birth_order=1)]),
    H("C8", "born 2025-03-02: first child, day before the first birthday",
      [P("C8p", "1990-01-01"), P("C8a", "2025-03-02", "child", birth_order=1)]),
    H("C9", "born 2026-02-10: newborn second child",
      [P("C9p", "1990-01-01"), P("C9a", "2026-02-10", "child", birth_order=2)]),
    H("C10", "born 2026-02-10: birth_order null",
      [P("C10p", "1990-01-01"), P("C10a", "2026-02-10", "child")]),
    H("C11", "born 2024-02-29: first birthday 2025-03-01",
      [P("C11p", "1990-01-01"), P("C11a", "2024-02-29", "child", birth_order=1)]),
])

youth = dict(kind="youth_independent", tenure="monthly_rent", deposit=10_000_000, rent=500_000)
write("youth.json", [
    H("Y1", "youth 25, rent 500,000, income 1,000,000; parents Y1P",
      [P("Y1a", "2001-01-01", im={"other": 1_000_000})], parents="Y1P", **youth),
    H("Y1P", "parents of Y1: 3,000,000 a month, net assets 300,000,000",
      [P("Y1Pa", "1970-01-01", spouse="Y1Pb", sex="M", im={"other": 3_000_000},
         assets={"housing": 300_000_000}),
       P("Y1Pb", "1971-01-01", "spouse", spouse="Y1Pa")], kind="origin"),
    H("Y2", "as Y1 but parents_household_id null",
      [P("Y2a", "2001-01-01", im={"other": 1_000_000})], **youth),
    H("Y3", "rent 700,001 and parents null: rent fails",
      [P("Y3a", "2001-01-01", im={"other": 1_000_000})],
      **dict(youth, rent=700_001)),
    H("Y4", "youth income 1,538,544: one won over 60% of the 1-person median",
      [P("Y4a", "2001-01-01", im={"other": 1_538_544})], parents="Y1P", **youth),
    H("Y5", "youth income exactly 1,538,543",
      [P("Y5a", "2001-01-01", im={"other": 1_538_543})], parents="Y1P", **youth),
    H("Y6", "as Y1 but housing.deposit left out",
      [P("Y6a", "2001-01-01", im={"other": 1_000_000})], parents="Y1P",
      **dict(youth, deposit=ABSENT)),
    H("Y7", "as Y1 but housing.monthly_rent left out",
      [P("Y7a", "2001-01-01", im={"other": 1_000_000})], parents="Y1P",
      **dict(youth, rent=ABSENT)),
    H("Y8", "deposit left out, the youth holds housing assets: owning a home is unknown",
      [P("Y8a", "2001-01-01", im={"other": 1_000_000}, assets={"housing": 5_000_000})],
      parents="Y1P", **dict(youth, deposit=ABSENT)),
    H("Y9", "deposit left out but tenure jeonse: the known tenure failure decides",
      [P("Y9a", "2001-01-01", im={"other": 1_000_000})], parents="Y1P",
      **dict(youth, tenure="jeonse", deposit=ABSENT)),
    H("E1", "eitc single, earned 10,000,000",
      [P("E1a", "1986-01-01", ia={"earned": 10_000_000})]),
    H("E2", "eitc single, earned 22,000,000 (not below the cap)",
      [P("E2a", "1986-01-01", ia={"earned": 22_000_000})]),
    H("E3", "eitc single, property 200,000,000: halved",
      [P("E3a", "1986-01-01", ia={"earned": 10_000_000}, assets={"housing": 200_000_000})]),
    H("E4", "eitc income over the cap, assets null",
      [P("E4a", "1986-01-01", ia={"earned": 30_000_000}, as_null=True)]),
    H("E5", "eitc two earners 20,000,000 + 5,000,000",
      [P("E5a", "1986-01-01", "head", spouse="E5b", sex="M", ia={"earned": 20_000_000}),
       P("E5b", "1987-01-01", "spouse", spouse="E5a", ia={"earned": 5_000_000})]),
    H("E6", "eitc single with a child: one earner, 25,000,000",
      [P("E6a", "1986-01-01", ia={"earned": 25_000_000}),
       P("E6b", "2015-01-01", "child", birth_order=1)]),
])
