"""The GitHub Actions workflows: least privilege, pinned actions, and the
jobs the course relies on (actionlint checks the syntax separately)."""

import re
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _load(path):
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads `on:` as True
    return data


def test_there_are_workflows():
    assert {p.name for p in WORKFLOWS} >= {"tests.yml", "book.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege(path):
    wf = _load(path)
    assert wf.get("permissions") == {"contents": "read"}, "top-level permissions must be contents: read"
    assert "pull_request_target" not in (wf["on"] or {})
    for name, job in wf["jobs"].items():
        perms = job.get("permissions", {})
        if name != "deploy":
            assert not perms, f"job {name} must inherit the read-only permissions"
        else:
            assert perms == {"pages": "write", "id-token": "write"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_pinned_and_pipes_fail(path):
    wf = _load(path)
    for job in wf["jobs"].values():
        for step in job.get("steps", []):
            if "uses" in step:
                assert re.search(r"@(v\d+(\.\d+)*|[0-9a-f]{40})$", step["uses"]), step["uses"]
            script = step.get("run", "")
            if re.search(r"(?<!\|)\|(?!\|)", script):
                assert "set -eo pipefail" in script or "set -euo pipefail" in script, script


def test_tests_workflow_runs_make_test_on_push_and_pr():
    wf = _load(ROOT / ".github" / "workflows" / "tests.yml")
    assert set(wf["on"]) == {"push", "pull_request"}
    runs = [s.get("run", "") for j in wf["jobs"].values() for s in j["steps"]]
    assert "make test" in runs


def test_book_workflow_builds_deploys_and_keys_the_cache():
    wf = _load(ROOT / ".github" / "workflows" / "book.yml")
    assert wf["on"]["push"]["branches"] == ["main"]
    steps = [s for j in wf["jobs"].values() for s in j["steps"]]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    runs = " ".join(s.get("run", "") for s in steps)
    for action in ["actions/upload-pages-artifact", "actions/deploy-pages",
                   "actions/upload-artifact", "actions/cache", "actions/setup-python"]:
        assert action in uses, action
    assert "make book" in runs and "make pdf" in runs and "make pdf-student" in runs
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache"))
    assert "chapters/" in cache["with"]["key"] and "code/nncalc" in cache["with"]["key"]
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"].get("cache") == "pip"
