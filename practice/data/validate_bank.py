"""Check the starter question bank and print its coverage.

Standalone: needs only the Python standard library (no Django).

    python practice/data/validate_bank.py [path/to/question_bank.json]

Exits 0 when the bank is valid, 1 (with one line per problem) when it is not.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path

FORMAT_TAG = "prepnexus-questions/1"

TAXONOMY: dict[str, dict[str, list[str]]] = {
    "Reading and Writing": {
        "Information and Ideas": [
            "Central Ideas and Details",
            "Command of Evidence (Textual)",
            "Command of Evidence (Quantitative)",
            "Inferences",
        ],
        "Craft and Structure": [
            "Words in Context",
            "Text Structure and Purpose",
            "Cross-Text Connections",
        ],
        "Expression of Ideas": ["Rhetorical Synthesis", "Transitions"],
        "Standard English Conventions": ["Boundaries", "Form, Structure, and Sense"],
    },
    "Math": {
        "Algebra": [
            "Linear equations in one variable",
            "Linear functions",
            "Linear equations in two variables",
            "Systems of two linear equations in two variables",
            "Linear inequalities in one or two variables",
        ],
        "Advanced Math": [
            "Nonlinear functions",
            "Nonlinear equations in one variable and systems of equations in two variables",
            "Equivalent expressions",
        ],
        "Problem-Solving and Data Analysis": [
            "Ratios, rates, proportional relationships, and units",
            "Percentages",
            "One-variable data: distributions and measures of center and spread",
            "Two-variable data: models and scatterplots",
            "Probability and conditional probability",
            "Inference from sample statistics and margin of error",
            "Evaluating statistical claims: observational studies and experiments",
        ],
        "Geometry and Trigonometry": [
            "Area and volume",
            "Lines, angles, and triangles",
            "Right triangles and trigonometry",
            "Circles",
        ],
    },
}

MIN_PER_SKILL = 5
TARGET_PER_SKILL = 7
DIFFICULTIES = ("easy", "medium", "hard")
LETTERS = ("A", "B", "C", "D")
SPR_SHARE_RANGE = (0.20, 0.32)  # "about a quarter" of Math items
RW_PASSAGE_WORDS = (25, 150)
KEYS = {
    "external_id",
    "section",
    "domain",
    "skill",
    "difficulty",
    "type",
    "passage",
    "passage_b",
    "stem",
    "options",
    "correct",
    "answers",
    "explanation",
}
EXTERNAL_ID_RE = re.compile(r"^pn-(rw|m)-[a-z0-9]+(-[a-z0-9]+)*-\d{3}$")
# Digital SAT grid-in: digits with an optional decimal point, or a simple fraction; optional minus.
SPR_RE = re.compile(r"^-?(\d+(\.\d*)?|\.\d+|\d+/\d+)$")


def spr_value(text: str) -> Fraction:
    if "/" in text:
        num, den = text.lstrip("-").split("/")
        value = Fraction(int(num), int(den))
    else:
        value = Fraction(text.lstrip("-"))
    return -value if text.startswith("-") else value


def spr_problems(answers: list) -> list[str]:
    problems = []
    values = []
    for ans in answers:
        if not isinstance(ans, str) or not ans:
            problems.append(f"SPR answer {ans!r} is not a non-empty string")
            continue
        limit = 6 if ans.startswith("-") else 5
        if len(ans) > limit:
            problems.append(f"SPR answer {ans!r} is longer than {limit} characters")
        if not SPR_RE.match(ans):
            problems.append(f"SPR answer {ans!r} is not a number, decimal or simple fraction")
            continue
        if "/" in ans and ans.lstrip("-").split("/")[1].strip("0") == "":
            problems.append(f"SPR answer {ans!r} divides by zero")
            continue
        values.append((ans, spr_value(ans)))
    if values:
        # Every accepted form must match the first one, allowing for a decimal rounded/truncated to fit.
        ref_ans, ref = values[0]
        for ans, val in values[1:]:
            if val != ref and abs(val - ref) >= Fraction(1, 1000):
                problems.append(f"SPR answers {ref_ans!r} and {ans!r} are not equivalent")
    if len(set(answers)) != len(answers):
        problems.append("SPR answers repeat")
    return problems


def check_question(q: dict) -> list[str]:
    problems = []
    if not isinstance(q, dict):
        return ["is not an object"]
    missing = KEYS - q.keys()
    extra = q.keys() - KEYS
    if missing:
        problems.append(f"missing keys {sorted(missing)}")
    if extra:
        problems.append(f"unknown keys {sorted(extra)}")
    if missing:
        return problems
    section, domain, skill = q["section"], q["domain"], q["skill"]
    if section not in TAXONOMY:
        problems.append(f"unknown section {section!r}")
    elif domain not in TAXONOMY[section]:
        problems.append(f"unknown domain {domain!r} for section {section!r}")
    elif skill not in TAXONOMY[section][domain]:
        problems.append(f"unknown skill {skill!r} for domain {domain!r}")
    if not isinstance(q["external_id"], str) or not EXTERNAL_ID_RE.match(q["external_id"]):
        problems.append(f"external_id {q['external_id']!r} does not look like pn-<rw|m>-<skill>-<nnn>")
    elif section in TAXONOMY:
        expected = "pn-rw-" if section == "Reading and Writing" else "pn-m-"
        if not q["external_id"].startswith(expected):
            problems.append(f"external_id should start with {expected!r}")
    if q["difficulty"] not in DIFFICULTIES:
        problems.append(f"difficulty {q['difficulty']!r} is not one of {DIFFICULTIES}")
    for key in ("stem", "explanation"):
        if not isinstance(q[key], str) or not q[key].strip():
            problems.append(f"{key} is empty")
    for key in ("passage", "passage_b"):
        if not isinstance(q[key], str):
            problems.append(f"{key} must be a string (empty when unused)")
    if not isinstance(q["options"], list) or not isinstance(q["answers"], list):
        problems.append("options and answers must be lists")
        return problems

    if q["type"] == "mcq":
        opts = q["options"]
        if len(opts) != 4:
            problems.append(f"mcq needs exactly 4 options, has {len(opts)}")
        if any(not isinstance(o, str) or not o.strip() for o in opts):
            problems.append("mcq option is empty")
        elif len({o.strip() for o in opts}) != len(opts):
            problems.append("mcq options are not distinct")
        if q["correct"] not in LETTERS:
            problems.append(f"mcq correct {q['correct']!r} is not one of A-D")
        if q["answers"]:
            problems.append("mcq must have answers == []")
    elif q["type"] == "spr":
        if section == "Reading and Writing":
            problems.append("Reading and Writing items must be mcq")
        if q["options"]:
            problems.append("spr must have options == []")
        if q["correct"] is not None:
            problems.append("spr must have correct == null")
        if not q["answers"]:
            problems.append("spr needs at least one accepted answer")
        problems.extend(spr_problems(q["answers"]))
    else:
        problems.append(f"type {q['type']!r} is not mcq or spr")

    if section == "Reading and Writing":
        words = len(q["passage"].split()) + len(q["passage_b"].split())
        lo, hi = RW_PASSAGE_WORDS
        if skill == "Cross-Text Connections":
            if not q["passage"].strip() or not q["passage_b"].strip():
                problems.append("Cross-Text Connections needs passage and passage_b")
            hi *= 2
        elif q["passage_b"]:
            problems.append("passage_b is only for Cross-Text Connections")
        if not lo <= words <= hi:
            problems.append(f"passage has {words} words, expected {lo}-{hi}")
        if domain == "Standard English Conventions" and "______" not in q["passage"]:
            problems.append("conventions passage needs a blank shown as ______")
    elif q["passage_b"]:
        problems.append("passage_b is only for Cross-Text Connections")
    return problems


def validate(data) -> tuple[list[str], dict]:
    errors: list[str] = []
    if not isinstance(data, dict) or data.get("format") != FORMAT_TAG:
        return [f'top level must be an object with "format": "{FORMAT_TAG}"'], {}
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        return ['"questions" must be a non-empty list'], {}

    seen_ids: dict[str, int] = {}
    seen_stems: dict[tuple, int] = {}
    per_skill: Counter = Counter()
    per_domain: Counter = Counter()
    per_section: Counter = Counter()
    diffs_skill: dict[tuple, Counter] = {}
    diffs_domain: dict[tuple, Counter] = {}
    types_section: dict[str, Counter] = {}
    for row, q in enumerate(questions, start=1):
        label = f"question {row} ({q.get('external_id', '?') if isinstance(q, dict) else '?'})"
        problems = check_question(q)
        errors.extend(f"{label}: {p}" for p in problems)
        if not isinstance(q, dict) or "external_id" not in q:
            continue
        ext = q["external_id"]
        if ext in seen_ids:
            errors.append(f"{label}: duplicate external_id, first used by question {seen_ids[ext]}")
        seen_ids.setdefault(ext, row)
        key = (q.get("passage", ""), q.get("passage_b", ""), q.get("stem", ""))
        if key in seen_stems:
            errors.append(f"{label}: same passage and stem as question {seen_stems[key]}")
        seen_stems.setdefault(key, row)
        if problems:
            continue
        sec, dom, sk = q["section"], q["domain"], q["skill"]
        per_skill[(sec, dom, sk)] += 1
        per_domain[(sec, dom)] += 1
        per_section[sec] += 1
        diffs_skill.setdefault((sec, dom, sk), Counter())[q["difficulty"]] += 1
        diffs_domain.setdefault((sec, dom), Counter())[q["difficulty"]] += 1
        types_section.setdefault(sec, Counter())[q["type"]] += 1

    for sec, domains in TAXONOMY.items():
        for dom, skills in domains.items():
            missing = [d for d in DIFFICULTIES if not diffs_domain.get((sec, dom), Counter())[d]]
            if missing:
                errors.append(f"domain {dom!r} has no {', '.join(missing)} questions")
            for sk in skills:
                n = per_skill[(sec, dom, sk)]
                if n < MIN_PER_SKILL:
                    errors.append(f"skill {sk!r} has {n} valid questions, needs at least {MIN_PER_SKILL}")

    math_types = types_section.get("Math", Counter())
    math_total = sum(math_types.values())
    spr_share = math_types["spr"] / math_total if math_total else 0.0
    lo, hi = SPR_SHARE_RANGE
    if math_total and not lo <= spr_share <= hi:
        errors.append(f"SPR share of Math is {spr_share:.0%}, expected about 25% ({lo:.0%}-{hi:.0%})")

    stats = {
        "total": len(questions),
        "per_section": per_section,
        "per_domain": per_domain,
        "per_skill": per_skill,
        "diffs_skill": diffs_skill,
        "diffs_domain": diffs_domain,
        "types_section": types_section,
        "spr_share": spr_share,
    }
    return errors, stats


def fmt_diffs(c: Counter) -> str:
    return " ".join(f"{d[0].upper()}{c[d]}" for d in DIFFICULTIES)


def report(stats: dict) -> None:
    print(f"Questions: {stats['total']}")
    for sec, domains in TAXONOMY.items():
        types = stats["types_section"].get(sec, Counter())
        print(f"\n== {sec}: {stats['per_section'][sec]} (mcq {types['mcq']}, spr {types['spr']})")
        for dom, skills in domains.items():
            dc = stats["diffs_domain"].get((sec, dom), Counter())
            print(f"  {dom}: {stats['per_domain'][(sec, dom)]}  [{fmt_diffs(dc)}]")
            for sk in skills:
                n = stats["per_skill"][(sec, dom, sk)]
                sc = stats["diffs_skill"].get((sec, dom, sk), Counter())
                flag = "" if n >= TARGET_PER_SKILL else "  (below target)"
                print(f"    {n:3d}  [{fmt_diffs(sc)}]  {sk}{flag}")
    print(f"\nMath SPR share: {stats['spr_share']:.1%}  (difficulty key: E=easy M=medium H=hard)")


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else Path(__file__).with_name("question_bank.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"FAIL: cannot read {path}: {exc}")
        return 1
    errors, stats = validate(data)
    if stats:
        report(stats)
    if errors:
        print(f"\nFAIL: {len(errors)} problem(s)")
        for e in errors:
            print(f"  - {e}")
        return 1
    print("\nOK: bank is valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
