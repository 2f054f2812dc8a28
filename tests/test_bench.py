"""make bench runs end to end (on a tiny cohort here); its figures are reported, never asserted."""

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def test_bench_runs_and_every_grader_agrees(tmp_path):
    out = tmp_path / "bench.json"
    run = subprocess.run([sys.executable, "-m", "powercoach.instructor.bench", "--learners", "3", "--workers", "2",
                          "--repeats", "1", "--out", str(out)], capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["grading"]["same_scores"] is True
    assert set(report["grading"]["runs"]) == {"nbgrader autograde (stock, serial)", "powercoach grade --workers 1",
                                              "powercoach grade --workers 2"}
    assert sum(report["grading_profile"]["share_by_package"].values()) == pytest.approx(1, abs=0.01)
    assert {"import_cost_s", "ratio"} <= set(report["import"])
    assert {"drill_click_ms_median", "exercise_click_ms_median"} <= set(report["clicks"])
    assert set(report["lessons"]) == {"01-contracting", "13-capstone"}
    assert {"extra_ms_per_submission", "share_of_grading_a_submission"} <= set(report["draw"])
    assert "x nbgrader" in run.stdout and "budget 1.5x" in run.stdout
