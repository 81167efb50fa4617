"""The GitHub Actions workflows: least privilege, actions pinned by commit,
no kept credentials, and the jobs the course relies on (actionlint checks
the syntax and zizmor the security separately, in `make lint-workflows`)."""

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
    assert wf.get("permissions") == {}, "no permissions at the top level: each job asks for its own"
    assert "pull_request_target" not in (wf["on"] or {})
    for name, job in wf["jobs"].items():
        perms = job.get("permissions")
        if name != "deploy":
            assert perms == {"contents": "read"}, f"job {name} needs contents: read, nothing more"
        else:
            assert perms == {"pages": "write", "id-token": "write"}


# `uses: owner/repo@<40 hex> # vX.Y.Z` (YAML drops comments: read the lines)
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40})"
                    r"\s+#\s*(?P<version>v\d+\.\d+\.\d+)\s*$")


def _uses_lines(path):
    return [line for line in path.read_text().splitlines()
            if re.match(r"^\s*(?:-\s+)?uses:", line)]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_pinned_to_commits_with_their_version(path):
    lines = _uses_lines(path)
    assert lines
    for line in lines:
        assert PINNED.match(line), f"not pinned to a full commit with a # vX.Y.Z comment: {line.strip()}"


def test_each_action_pinned_to_one_commit_everywhere():
    pins = {}
    for path in WORKFLOWS:
        for line in _uses_lines(path):
            m = PINNED.match(line)
            if m:
                pins.setdefault(m["action"], set()).add((m["sha"], m["version"]))
    assert pins and all(len(v) == 1 for v in pins.values()), pins


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_checkouts_do_not_keep_credentials(path):
    steps = [s for job in _load(path)["jobs"].values() for s in job.get("steps", [])]
    checkouts = [s for s in steps if s.get("uses", "").startswith("actions/checkout@")]
    for step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False, step


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_pipes_fail(path):
    wf = _load(path)
    for job in wf["jobs"].values():
        for step in job.get("steps", []):
            script = step.get("run", "")
            if re.search(r"(?<!\|)\|(?!\|)", script):
                assert "set -eo pipefail" in script or "set -euo pipefail" in script, script


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_expressions_in_scripts(path):
    """Values reach a script through env:, never spliced into its text
    (zizmor's template-injection)."""
    for job in _load(path)["jobs"].values():
        for step in job.get("steps", []):
            assert "${{" not in step.get("run", ""), step["run"]


def test_tests_workflow_runs_make_test_on_push_and_pr():
    wf = _load(ROOT / ".github" / "workflows" / "tests.yml")
    assert set(wf["on"]) == {"push", "pull_request"}
    runs = [s.get("run", "") for j in wf["jobs"].values() for s in j["steps"]]
    assert "make test" in runs


def test_book_workflow_builds_and_deploys_without_caches():
    wf = _load(ROOT / ".github" / "workflows" / "book.yml")
    assert wf["on"]["push"]["branches"] == ["main"]
    steps = [s for j in wf["jobs"].values() for s in j["steps"]]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    runs = " ".join(s.get("run", "") for s in steps)
    for action in ["actions/upload-pages-artifact", "actions/deploy-pages",
                   "actions/upload-artifact", "actions/setup-python"]:
        assert action in uses, action
    assert "make book" in runs and "make pdf" in runs and "make pdf-student" in runs
    # what is deployed is built from nothing cached (cache poisoning)
    assert "actions/cache" not in uses
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert "cache" not in setup.get("with", {})
