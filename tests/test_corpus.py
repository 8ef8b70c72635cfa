"""Run the corpus of real surveillance cases (tests/corpus) through the compliance engine.

Prints a table (visible with pytest -s) of what each case's reviewer expected, what the
engine caught, what it missed and what fired that must not; writes the same table under
pytest's tmp dir. Missed findings of rules not yet written are reported, not failed.
"""

import re

import pytest

from reviewapp import compliance
from tests.corpus import Case, load_cases

MIN_CASES = 12

# Expected findings the engine does not catch yet, (case, rule id) -> why. Every other
# expected finding that is missed fails the test: the fixture's facts trigger the rule, so
# a miss is a regression. Empty now: the two gaps this corpus found (recipients given as a
# count, "424 out-of-state agencies", "hundreds of entities") are caught since.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


def registered_rules() -> set[str]:
    """Return the ids of every rule in every pack."""
    return {rule.id for pack in compliance.packs().values() for rule in pack}


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    """Load the corpus once for the module."""
    return load_cases()


def test_corpus_has_enough_cases(cases):
    """The corpus holds at least twelve real cases, each with a findable source."""
    assert len(cases) >= MIN_CASES
    for case in cases:
        assert case.sources, f"{case.key}: no source"
        for source in case.sources:
            assert re.match(r"https?://\S+$", source["url"]), f"{case.key}: {source['url']!r}"
            assert source["what"].strip(), f"{case.key}: source {source['url']} says nothing"
        assert case.reviewer_finding.strip(), f"{case.key}: no reviewer finding"


def test_corpus_rule_ids_are_known(cases):
    """Every expected or not-expected id is a registered rule's."""
    known = registered_rules()
    for case in cases:
        named = set(case.expected) | set(case.not_expected)
        unknown = sorted(r for r in named if r not in known)
        assert not unknown, f"{case.key}: unknown rule ids {unknown}"
        both = set(case.expected) & set(case.not_expected)
        assert not both, f"{case.key}: both expected and not expected: {sorted(both)}"
        assert all(reason.strip() for reason in case.not_expected.values()), case.key


def test_known_gaps_name_real_expectations(cases):
    """Each known gap is an expected finding of a fixture, so the list cannot go stale."""
    expected = {(case.key, rule_id) for case in cases for rule_id in case.expected}
    assert set(KNOWN_GAPS) <= expected


def outcome(case: Case) -> dict:
    """Run the engine on one case and sort its expected ids into caught and missed."""
    fired = {f.rule_id for f in compliance.evaluate(case.facts, case.profile.rule_packs,
                                                    case.settings)}
    return {
        "caught": [r for r in case.expected if r in fired],
        "missed": [r for r in case.expected if r not in fired],
        "false_positives": sorted(r for r in case.not_expected if r in fired),
        "fired": fired,
    }


def table(cases: list[Case], results: dict[str, dict]) -> str:
    """Render the results as a markdown table."""
    def ids(rule_ids):
        return ", ".join(rule_ids) or "–"

    lines = ["| case | expected | caught | missed | false positives |",
             "|---|---|---|---|---|"]
    for case in cases:
        r = results[case.key]
        lines.append(f"| {case.key} | {len(case.expected)} | {ids(r['caught'])} | "
                     f"{ids(r['missed'])} | {ids(r['false_positives'])} |")
    expected = sum(len(c.expected) for c in cases)
    caught = sum(len(r["caught"]) for r in results.values())
    false = sum(len(r["false_positives"]) for r in results.values())
    lines += ["", f"{len(cases)} cases; expected {expected}, caught {caught}, missed "
                  f"{expected - caught}, false positives {false}."]
    return "\n".join(lines)


def test_corpus_findings(cases, tmp_path):
    """No not-expected rule fires, enough are caught, and existing rules catch their cases."""
    results = {case.key: outcome(case) for case in cases}
    rendered = table(cases, results)
    print("\n" + rendered)
    (tmp_path / "corpus-table.md").write_text(rendered + "\n", encoding="utf-8")

    false_positives = {k: r["false_positives"] for k, r in results.items() if r["false_positives"]}
    assert not false_positives, f"rules fired that reviewers say must not: {false_positives}"

    regressions = sorted((k, rule_id) for k, r in results.items() for rule_id in r["missed"]
                         if (k, rule_id) not in KNOWN_GAPS)
    assert not regressions, f"existing rules missed cases their facts trigger: {regressions}"
