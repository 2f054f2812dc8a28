import pytest

from powercoach import catalog
from powercoach.errors import DataError


def test_twelve_techniques_in_module_order_with_icf_links():
    techniques = catalog.techniques()
    assert [t.module for t in techniques.values()] == list(range(1, 13))
    assert "contracting" in techniques and "ego-and-purpose" in techniques
    assert all(set(t.icf) <= set(catalog.icf_competencies()) for t in techniques.values())
    assert catalog.technique_for_module(6).id == "safe-space"


def test_twelve_pitfalls():
    assert list(catalog.pitfalls())[:3] == ["deference", "flattery", "collusion"]
    assert len(catalog.pitfalls()) == 12


def _raw():
    return {"icf_competencies": {"3": "Agreements"},
            "techniques": [{"id": "contracting", "module": 1, "title": "t", "summary": "s",
                            "good": "g", "poor": "p", "icf": [3]}]}


def test_a_technique_missing_a_field_is_named():
    raw = _raw()
    raw["techniques"][0]["summary"] = ""
    with pytest.raises(DataError, match=r"technique 1 \(contracting\) lacks summary"):
        catalog.parse_techniques(raw)


def test_an_unknown_icf_competency_is_named():
    raw = _raw()
    raw["techniques"][0]["icf"] = [9]
    with pytest.raises(DataError, match=r"contracting.*unknown ICF competency \[9\]"):
        catalog.parse_techniques(raw)


def test_a_duplicate_pitfall_is_named():
    entry = {"id": "flattery", "title": "F", "description": "d"}
    with pytest.raises(DataError, match=r"pitfall 2 \(flattery\).*used twice"):
        catalog.parse_pitfalls([entry, entry])


def test_a_broken_json_file_says_where(tmp_path):
    bad = tmp_path / "techniques.json"
    bad.write_text('{"techniques": [', encoding="utf-8")
    with pytest.raises(DataError, match=r"not valid JSON \(line 1"):
        catalog.read_json(bad)
