"""The JupyterHub path's fixed parts: the launch button's link, the
published configuration, the pins of the hub's user image and of its proxy.
`make hub-check` runs these in the image's environment, then the live
check (code/scripts/hub_check.py)."""

import importlib.metadata
import json
import re
import sys

import pytest

from .conftest import ROOT, toc_files

sys.path.insert(0, str(ROOT / "code" / "scripts"))
import hub_check  # noqa: E402

HUB = "https://hub.example.edu"
CHAPTERS = [f"{f}.ipynb" for f in toc_files() if (ROOT / f"{f}.ipynb").exists()]


def _pins(path):
    pins = {}
    for line in (ROOT / path).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            name, _, version = line.partition("==")
            assert version, f"{path}: {line} is not pinned with =="
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_the_link_is_nbgitpullers_behind_user_redirect():
    config = hub_check.course_config()
    assert hub_check.link_for(config, HUB + "/", "chapters/05_backpropagation.ipynb") == (
        "https://hub.example.edu/hub/user-redirect/git-pull"
        "?repo=https%3A//github.com/calculus-in-neural-networks/calculus-in-neural-networks"
        "&urlpath=lab/tree/calculus-in-neural-networks/chapters/05_backpropagation.ipynb"
        "&branch=main")


@pytest.mark.parametrize("notebook", CHAPTERS)
def test_the_link_is_the_one_the_theme_makes(notebook):
    config = hub_check.course_config()
    assert hub_check.link_for(config, HUB, notebook) == hub_check.theme_link(config, HUB, notebook)


def test_the_published_site_has_no_hub_button_but_the_setting_is_documented():
    config = hub_check.course_config()
    assert "jupyterhub_url" not in config["launch_buttons"]
    assert re.search(r"^\s*#\s*jupyterhub_url:\s*https://", (ROOT / "_config.yml").read_text(), re.M)


def test_the_image_adds_pinned_packages_only():
    course, hub = _pins("requirements.txt"), _pins("requirements-hub.txt")
    assert {"jupyterhub", "nbgitpuller"} <= hub.keys()
    assert not course.keys() & hub.keys(), "pinned twice: requirements.txt is the base of the image"


def test_the_image_pins_the_whole_closure():
    """Every package jupyterhub and nbgitpuller need, down to the last, is
    pinned in requirements.txt or requirements-hub.txt (in the image's
    environment, where they are installed)."""
    from packaging.requirements import Requirement

    try:
        importlib.metadata.version("jupyterhub")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("not the hub image's environment (make hub-check runs this there)")
    pins = {**_pins("requirements.txt"), **_pins("requirements-hub.txt")}
    todo, seen = ["jupyterhub", "nbgitpuller"], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        assert name in pins, f"{name} is needed by the image but pinned nowhere"
        assert importlib.metadata.version(name) == pins[name], name
        for spec in importlib.metadata.requires(name) or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(re.sub(r"[-_.]+", "-", req.name).lower())


def test_the_proxy_is_pinned():
    package = json.loads((ROOT / "code/publish_tests/hub/package.json").read_text())
    lock = json.loads((ROOT / "code/publish_tests/hub/package-lock.json").read_text())
    version = package["dependencies"]["configurable-http-proxy"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert lock["packages"]["node_modules/configurable-http-proxy"]["version"] == version
    assert hub_check.PROXY == ROOT / "code/publish_tests/hub/node_modules/.bin/configurable-http-proxy"


def test_the_checked_chapter_exists():
    assert hub_check.DEFAULT_CHAPTER in CHAPTERS
