#!/usr/bin/env python3
"""convert.py - turn the sd-jwt-python test specifications (YAML with !sd tags) into
cases.json for tests/unit/sdjwt/test_python_cases.c: the plain claims, the JSON pointers of the
selectively disclosable claims, the pointers the holder discloses (exactly those disclosures,
their parents implied) and the expected verified claims, all taken from the specification.
Run from this directory: python3 convert.py > cases.json"""
import glob, json, os, sys
import yaml


class SD:
    def __init__(self, value):
        self.value = value

    def __hash__(self):
        return hash(self.value)

    def __eq__(self, other):
        return isinstance(other, SD) and self.value == other.value


def construct_sd(loader, node):
    if isinstance(node, yaml.ScalarNode):
        # a quoted scalar stays a string; a plain one resolves as if untagged (42, null, True)
        tag = loader.resolve(yaml.ScalarNode, node.value, (node.style is None, False))
        plain = yaml.ScalarNode(tag, node.value, node.start_mark, node.end_mark, node.style)
        return SD(loader.construct_object(plain, deep=True))
    if isinstance(node, yaml.SequenceNode):
        return SD(loader.construct_sequence(node, deep=True))
    return SD(loader.construct_mapping(node, deep=True))


yaml.SafeLoader.add_constructor("!sd", construct_sd)


def esc(t):
    return str(t).replace("~", "~0").replace("/", "~1")


def plain(v, path, sd):
    """The claims without tags; the pointers of the !sd ones appended to sd."""
    if isinstance(v, SD):
        sd.append(path)
        return plain(v.value, path, sd)
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            key = k.value if isinstance(k, SD) else k
            p = path + "/" + esc(key)
            if isinstance(k, SD):
                sd.append(p)
            out[str(key)] = plain(x, p, sd)
        return out
    if isinstance(v, list):
        return [plain(x, path + "/" + str(i), sd) for i, x in enumerate(v)]
    return v


def disclosed(h, path, sd, out):
    """Pointers of the holder's choices: True, a dict or a list at a !sd position; True on a
    claim discloses the disclosures inside it as well."""
    if h is None or h is False:
        return
    if path in sd and path not in out:
        out.append(path)
    if h is True:
        out.extend(p for p in sd if p.startswith(path + "/") and p not in out)
    elif isinstance(h, dict):
        for k, x in h.items():
            disclosed(x, path + "/" + esc(k), sd, out)
    elif isinstance(h, list):
        for i, x in enumerate(h):
            disclosed(x, path + "/" + str(i), sd, out)


cases = []
for spec in sorted(glob.glob("*/specification.yml")):
    with open(spec, encoding="utf-8") as f:
        s = yaml.safe_load(f)
    sd = []
    claims = plain(s["user_claims"], "", sd)
    disclose = []
    disclosed(s.get("holder_disclosed_claims") or {}, "", sd, disclose)
    cases.append({"name": os.path.dirname(spec), "claims": claims, "sd": sd,
                  "disclose": disclose, "expect": s["expect_verified_user_claims"]})
json.dump(cases, sys.stdout, indent=1, ensure_ascii=False)
sys.stdout.write("\n")
