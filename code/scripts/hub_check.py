"""Check the JupyterHub path on this machine, as a student would take it.

A class too large for Binder runs the course on the school's JupyterHub
(for example Zero to JupyterHub): the instructor sets
``launch_buttons.jupyterhub_url`` in ``_config.yml`` once, and every chapter's
launch button then makes an nbgitpuller link. A student who follows it logs
in, gets a server, nbgitpuller clones (later: updates) the course repository
into the student's home, and JupyterLab opens the chapter.

Run with the Python of the hub image's environment, from the repository
root (``make hub-check`` makes that environment and runs this):

    python code/scripts/hub_check.py [--chapter chapters/NN_name.ipynb] [--keep]

In a temporary directory, on free ports of 127.0.0.1, it

1. makes the launch button's link for the chapter, with the course's own
   ``_config.yml`` and ``launch_buttons.jupyterhub_url`` set to this hub,
   and checks it is the link sphinx_book_theme's button makes;
2. publishes this repository's HEAD as branch ``main`` of a local git
   repository (a file:// URL stands in for GitHub: CI runs on a clean clone,
   and the machine has no internet);
3. starts a real JupyterHub (its proxy, configurable-http-proxy, from npm)
   with a password (DummyAuthenticator) and SimpleLocalProcessSpawner, which
   runs the student's server as this OS user with a home in the temporary
   directory;
4. as a browser would, with a cookie jar and nothing else: follows the link,
   logs in on the hub's login form, presses "Launch server", waits for the
   spawn, passes the OAuth hand-shake with the user's server, gets
   nbgitpuller's page and does what its script does (the event stream of
   ``git-pull/api``), then opens the JupyterLab page the link names;
5. checks that the whole repository at HEAD is in the student's home
   (every chapter, the text sources, code/, requirements.txt) and that the
   student's server lists the chapters;
6. runs the chapter cell by cell through a kernel of the student's server
   (REST API + kernel websocket with the student's cookies, as JupyterLab;
   the client is code/scripts/jupyter_api.py, shared with binder_check.py):
   every cell must run, every ``nc.assert_close`` must print its ✓, and
   every cell's printed text must be the text committed in the notebook
   (as nbval compares it; cells marked NBVAL_IGNORE_OUTPUT are not compared).

Whatever happens, it stops every process it started (the hub, the proxy,
the student's server and its kernels: this process is their subreaper, so
none can slip away) and removes the temporary directory; on Ctrl-C and
SIGTERM too.

Environment layout, as a school's Zero to JupyterHub deployment would
have it: the user image's environment is the course's ``requirements.txt``
plus ``requirements-hub.txt`` (``jupyterhub``, whose
``jupyterhub-singleuser`` starts the student's server, and ``nbgitpuller``,
a server extension, so it must be where that server runs). Z2JH runs the
hub from its own image; here the hub process runs from the same
environment, which has the very ``jupyterhub`` it needs (hub and
singleuser must agree on it anyway). The proxy is Node's
configurable-http-proxy, pinned in code/publish_tests/hub/package.json.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import ctypes
import html
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, unquote, urlencode, urljoin, urlsplit

import nbformat
import psutil
import requests
import yaml

from jupyter_api import CellError, ServerAPI, free_port, text_outputs, wait_until

ROOT = Path(__file__).resolve().parents[2]
PROXY = ROOT / "code" / "publish_tests" / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
STUDENT = "student"
DEFAULT_CHAPTER = "chapters/05_backpropagation.ipynb"
# What must land in the student's home, besides everything else at HEAD.
MUST_LAND = ["chapters/*.ipynb", "text/*.md", "code/nncalc/*.py", "requirements.txt"]

T0 = time.monotonic()


# -- the launch button's link ---------------------------------------------------

def nbgitpuller_link(hub_url: str, repo_url: str, branch: str, notebook: str,
                     interface: str = "jupyterlab") -> str:
    """The link of a chapter's JupyterHub launch button: nbgitpuller's
    ``git-pull`` behind the hub's ``user-redirect``, which clones ``repo_url``
    into a folder named as the repository and opens ``notebook`` (a path in
    the repository) there. sphinx_book_theme builds the same link
    (header_buttons/launch.py; hub_check.theme_link and the tests compare)."""
    ui = {"classic": "tree", "jupyterlab": "lab/tree"}[interface]
    folder = repo_url.rstrip("/").rsplit("/", 1)[-1]
    query = urlencode({"repo": repo_url, "urlpath": f"{ui}/{folder}/{notebook}", "branch": branch},
                      safe="/")
    return f"{hub_url.strip('/')}/hub/user-redirect/git-pull?{query}"


def course_config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def link_for(config: dict, hub_url: str, notebook: str) -> str:
    """nbgitpuller_link with the repository, branch, book folder and
    interface of a Jupyter Book configuration (a parsed _config.yml; the
    defaults are Jupyter Book's and the theme's)."""
    repo = config["repository"]
    book = repo.get("path_to_book", "").strip("/")
    return nbgitpuller_link(hub_url, repo["url"], repo.get("branch", "master"),
                            f"{book}/{notebook}" if book else notebook,
                            config.get("launch_buttons", {}).get("notebook_interface", "classic"))


def theme_link(config: dict, hub_url: str, notebook: str) -> str:
    """The link sphinx_book_theme's JupyterHub button makes on the page of
    ``notebook``, for the configuration ``config`` (a parsed _config.yml)
    with ``launch_buttons.jupyterhub_url`` set to ``hub_url``: Jupyter Book
    turns the configuration into Sphinx's, and the theme's own functions
    (run at builder-inited and html-page-context in a build) make the
    buttons."""
    from jupyter_book.config import get_final_config
    from sphinx_book_theme.header_buttons import update_context_with_repository_info
    from sphinx_book_theme.header_buttons.launch import add_launch_buttons

    config = copy.deepcopy(config)
    config.setdefault("launch_buttons", {})["jupyterhub_url"] = hub_url
    sphinx_config, _ = get_final_config(user_yaml=config, cli_config={"latex_individualpages": False},
                                        sourcedir=ROOT, validate=False)

    class Config(SimpleNamespace):
        def __getitem__(self, key):
            return getattr(self, key)

    pagename = notebook.removesuffix(".ipynb")
    app = SimpleNamespace(
        config=Config(html_theme_options=sphinx_config["html_theme_options"], html_context={}),
        builder=None, outdir=str(ROOT / "_build" / "html"),
        env=SimpleNamespace(doc2path=lambda name: str(ROOT / f"{name}.ipynb"),
                            metadata={pagename: {"kernelspec": {"name": "python3"}}}))
    update_context_with_repository_info(app)
    context = {"pagename": pagename, "sourcename": notebook, "header_buttons": [],
               **app.config.html_context}
    add_launch_buttons(app, pagename, "page.html", context, None)
    buttons = [b for group in context["header_buttons"] for b in group.get("buttons", [])]
    links = [b["url"] for b in buttons if b.get("text") == "JupyterHub"]
    if len(links) != 1:
        raise AssertionError(f"the theme made {len(links)} JupyterHub buttons for {notebook}")
    return links[0]


# -- reporting --------------------------------------------------------------------

@contextlib.contextmanager
def step(name: str):
    start = time.monotonic()
    print(f"[{start - T0:6.1f} s] {name}", flush=True)
    yield
    print(f"[{time.monotonic() - T0:6.1f} s]   done in {time.monotonic() - start:.1f} s", flush=True)


def say(text: str) -> None:
    print(f"           {text}", flush=True)


def git(*args, cwd=ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


# -- processes ------------------------------------------------------------------------

class Processes:
    """Starts processes and stops them all, with whatever they started.

    This process becomes a child subreaper (Linux prctl): a process started
    under it whose parent exits (a kernel whose server died, say) is
    re-parented here instead of to init, so ``psutil.Process().children(
    recursive=True)`` sees every process this check started, and only those.
    """

    def __init__(self):
        self.started: list[subprocess.Popen] = []
        with contextlib.suppress(Exception):
            PR_SET_CHILD_SUBREAPER = 36
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)

    def start(self, args, **kwargs) -> subprocess.Popen:
        proc = subprocess.Popen(args, start_new_session=True, **kwargs)
        self.started.append(proc)
        return proc

    @staticmethod
    def _descendants():
        return [p for p in psutil.Process().children(recursive=True) if p.is_running()
                and p.status() != psutil.STATUS_ZOMBIE]

    @staticmethod
    def _describe(p: psutil.Process) -> str:
        with contextlib.suppress(psutil.Error):
            cmd = p.cmdline()
            for word in cmd:
                for name in ("jupyterhub-singleuser", "configurable-http-proxy", "ipykernel_launcher",
                             "jupyterhub"):
                    if name in word:
                        return name
            return Path(cmd[0]).name if cmd else p.name()
        return "?"

    def stop_all(self, grace: float = 20) -> list[str]:
        """Stop what was started: SIGTERM to each started process (the hub
        then stops the servers and the proxy it started, as it does on
        shutdown), then SIGTERM and, after a grace period, SIGKILL to
        anything still running below this process. Returns what ran."""
        seen = {p.pid: self._describe(p) for p in self._descendants()}
        for proc in self.started:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in self.started:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        left = self._descendants()
        for p in left:
            seen.setdefault(p.pid, self._describe(p))
            with contextlib.suppress(psutil.Error):
                p.terminate()
        _, alive = psutil.wait_procs(left, timeout=5)
        for p in alive:
            with contextlib.suppress(psutil.Error):
                p.kill()
        psutil.wait_procs(alive, timeout=5)
        with contextlib.suppress(ChildProcessError):  # reap re-parented orphans
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        still = self._descendants()
        if still:
            raise RuntimeError(f"could not stop: {[self._describe(p) for p in still]}")
        return sorted(seen.values())


def _stop_on_signal(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


# -- the hub ------------------------------------------------------------------------------

class Hub:
    def __init__(self, tmp: Path, processes: Processes):
        self.tmp = tmp
        self.port, self.api_port, self.hub_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.password = secrets.token_urlsafe(12)
        self.home = tmp / "home" / STUDENT
        self.log_path = tmp / "hub.log"
        bin_dir = Path(sys.executable).parent  # the image's environment
        config = {
            "JupyterHub.bind_url": self.url,
            "JupyterHub.hub_bind_url": f"http://127.0.0.1:{self.hub_port}",
            "JupyterHub.db_url": f"sqlite:///{tmp / 'jupyterhub.sqlite'}",
            "JupyterHub.cookie_secret_file": str(tmp / "jupyterhub_cookie_secret"),
            "JupyterHub.pid_file": str(tmp / "jupyterhub.pid"),
            "ConfigurableHTTPProxy.command": [str(PROXY)],
            "ConfigurableHTTPProxy.api_url": f"http://127.0.0.1:{self.api_port}",
            "ConfigurableHTTPProxy.pid_file": str(tmp / "jupyterhub-proxy.pid"),
            "ConfigurableHTTPProxy.auth_token": secrets.token_hex(16),
            # a login form and a session cookie, as with any real authenticator
            "JupyterHub.authenticator_class": "dummy",
            "DummyAuthenticator.password": self.password,
            "Authenticator.allowed_users": {STUDENT},
            # the student's server: this OS user, a home in the temporary directory
            "JupyterHub.spawner_class": "simple",
            "SimpleLocalProcessSpawner.home_dir_template": str(tmp / "home" / "{username}"),
            "Spawner.cmd": [str(bin_dir / "jupyterhub-singleuser")],
            "Spawner.args": ["--allow-root"] if os.geteuid() == 0 else [],
            "Spawner.ip": "127.0.0.1",
            "Spawner.default_url": "/lab",
            "Spawner.start_timeout": 120,
            "Spawner.http_timeout": 120,
            # nbgitpuller and the kernel run git and python from the image
            "Spawner.environment": {"PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin"},
        }
        self.config_file = tmp / "jupyterhub_config.py"
        self.config_file.write_text("".join(f"c.{key} = {value!r}\n" for key, value in config.items()))
        env = {"PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp),
               "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        self.log = open(self.log_path, "w")
        self.proc = processes.start([sys.executable, "-m", "jupyterhub", "-f", str(self.config_file)],
                                    cwd=tmp, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 60) -> str:
        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterHub exited with {self.proc.returncode}")
            try:  # through the proxy, as a student reaches it
                r = requests.get(f"{self.url}/hub/api/", timeout=5)
                return r.status_code == 200 and r.json()["version"]
            except (OSError, ValueError):
                return False
        return wait_until(ready, timeout, "JupyterHub answering on its public URL")

    def log_tail(self, lines: int = 60) -> str:
        self.log.flush()
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


# -- the student's browser ---------------------------------------------------------------------

class Browser:
    """A cookie jar that follows links as a browser does, one hop at a time,
    and remembers the way it went."""

    def __init__(self, hub: Hub):
        self.hub = hub
        self.session = requests.Session()
        self.hops: list[str] = []

    @staticmethod
    def _path(url: str) -> str:
        return urlsplit(url).path  # the queries carry OAuth codes: not printed

    def open(self, url: str, method: str = "GET", data=None, max_hops: int = 30,
             patience: float = 150) -> requests.Response:
        """Request ``url`` and follow redirects; a spawn-pending page is
        reloaded until the server is ready (the page's script waits the same
        way); a "server not running" page is answered by its Launch button."""
        deadline = time.monotonic() + patience
        for _ in range(max_hops):
            self.hops.append(f"{method} {self._path(url)}")
            resp = self.session.request(method, url, data=data, allow_redirects=False, timeout=60)
            method, data = "GET", None
            if resp.is_redirect:
                url = urljoin(url, resp.headers["Location"])
                continue
            path = urlsplit(resp.url).path
            if resp.status_code == 424 and "/hub/user/" in path:
                launch = re.search(r'<a id="start"[^>]*href="([^"]+)"', resp.text)
                if not launch:
                    raise AssertionError(f"the hub's 'not running' page has no Launch button:\n{resp.text[:1000]}")
                self.hops.append("(the student presses Launch server)")
                url = urljoin(url, html.unescape(launch[1]))
                continue
            if resp.status_code == 200 and "/hub/spawn-pending/" in path:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the student's server did not start in {patience:g} s")
                time.sleep(0.5)
                self.hops.pop()
                continue
            return resp
        raise AssertionError(f"more than {max_hops} hops:\n" + "\n".join(self.hops))

    def log_in(self, login_page: requests.Response, password: str) -> requests.Response:
        form = re.search(r'<form[^>]*action="([^"]*)"[^>]*method="post"', login_page.text)
        xsrf = re.search(r'name="_xsrf"\s+value="([^"]+)"', login_page.text)
        if not (form and xsrf):
            raise AssertionError("the hub's login page has no login form")
        return self.open(urljoin(login_page.url, html.unescape(form[1])), "POST",
                         {"username": STUDENT, "password": password, "_xsrf": xsrf[1]})


def pull_like_nbgitpuller_page(browser: Browser, page: requests.Response) -> tuple[str, list[str]]:
    """Do what nbgitpuller's page does in a browser (its gitsync.js): read
    its data- attributes, follow the event stream of git-pull/api until it
    says finished, then go where the page would redirect. Returns that URL
    and git's output."""
    body = re.search(r"<body([^>]*)>", page.text, re.S)
    attrs = {k: unquote(html.unescape(v)) for k, v in re.findall(r'data-([a-z-]+)="([^"]*)"', body[1])}
    params = {"_xsrf": attrs["xsrf"], "repo": attrs["repo"], "targetpath": attrs["targetpath"]}
    for optional in ("depth", "branch", "backup"):
        if optional in attrs:
            params[optional] = attrs[optional]
    origin = browser.hub.url
    api = f"{origin}{attrs['base-url']}git-pull/api?{urlencode(params)}"
    output, phase = [], None
    with browser.session.get(api, stream=True, timeout=120) as stream:
        if stream.status_code != 200:
            raise AssertionError(f"git-pull/api answered HTTP {stream.status_code}: {stream.text[:500]}")
        for line in stream.iter_lines(decode_unicode=True):
            if not line or not line.startswith("data:"):
                continue
            event = json.loads(line[len("data:"):])
            phase = event.get("phase")
            if event.get("output"):
                output.append(event["output"].rstrip())
            if phase == "error":
                raise AssertionError(f"nbgitpuller failed: {event.get('message')}\n" + "\n".join(output))
            if phase == "finished":
                break
    if phase != "finished":
        raise AssertionError("nbgitpuller's event stream ended without 'finished'")
    return f"{origin}{attrs['base-url']}{attrs['path']}", output


# -- the check ---------------------------------------------------------------------------------------

def publish_head(remote: Path, branch: str) -> str:
    """Push HEAD as ``branch`` of a new bare repository at ``remote``."""
    remote.mkdir(parents=True)
    git("init", "--quiet", "--bare", str(remote))
    git("push", "--quiet", str(remote), f"HEAD:refs/heads/{branch}")
    git("symbolic-ref", "HEAD", f"refs/heads/{branch}", cwd=remote)
    return git("rev-parse", "HEAD")


def check_landed(home: Path, folder: str, head: str, api: ServerAPI) -> None:
    clone = home / folder
    if not (clone / ".git").is_dir():
        raise AssertionError(f"nbgitpuller did not clone into {clone}")
    if git("rev-parse", "HEAD", cwd=clone) != head:
        raise AssertionError("the student's copy is not at the published commit")
    if git("status", "--porcelain", cwd=clone):
        raise AssertionError(f"the student's copy differs from the commit:\n{git('status', '--short', cwd=clone)}")
    expected = set(git("ls-tree", "-r", "--name-only", "HEAD").splitlines())
    missing = sorted(f for f in expected if not (clone / f).is_file())
    if missing:
        raise AssertionError(f"missing in the student's home: {missing}")
    counts = []
    for pattern in MUST_LAND:
        here = {p.relative_to(ROOT).as_posix() for p in ROOT.glob(pattern)} & expected
        there = {p.relative_to(clone).as_posix() for p in clone.glob(pattern)}
        if not here or here - there:
            raise AssertionError(f"{pattern}: {sorted(here - there) or 'nothing'} in the student's home")
        counts.append(f"{len(here)} {pattern}")
    say(f"{len(expected)} files at {head[:12]}, byte for byte: " + ", ".join(counts))
    # and the student's server shows them
    listing = api.json("GET", f"/api/contents/{folder}/chapters?content=1")
    # (jupytext, in the image, lists text files such as conftest.py as notebooks too)
    served = {item["name"] for item in listing["content"]
              if item["type"] == "notebook" and item["name"].endswith(".ipynb")}
    chapters = {Path(f).name for f in expected if re.fullmatch(r"chapters/[^/]+\.ipynb", f)}
    if served != chapters:
        raise AssertionError(f"the server lists {sorted(served)}, HEAD has {sorted(chapters)}")
    say(f"the student's server lists the {len(served)} chapter notebooks in {folder}/chapters")


def compare_with_committed(committed, runs) -> tuple[int, int, list[str]]:
    """Compare each cell's printed text (stdout and text/plain results) with
    the notebook's committed outputs. Returns (cells compared, ✓ lines,
    stderr lines seen)."""
    cells = [c for c in committed.cells if c.cell_type == "code"]
    if len(cells) != len(runs):
        raise AssertionError(f"{len(runs)} cells ran, the notebook has {len(cells)}")
    compared = ticks = 0
    stderr = []
    for cell, run in zip(cells, runs):
        ticks += sum(1 for line in run.text().splitlines() if line.lstrip().startswith("✓ "))
        stderr += run.text("stderr").splitlines()
        if "NBVAL_IGNORE_OUTPUT" in cell.source:
            continue
        want = [o for o in text_outputs(cell.outputs) if o[0] != "stderr"]
        got = [o for o in run.outputs if o[0] != "stderr"]
        if want != got:
            raise AssertionError(f"code cell {run.index} printed something else than the committed "
                                 f"notebook:\n--- committed\n{want}\n--- in the student's kernel\n{got}")
        compared += 1
    expected_ticks = sum(line.lstrip().startswith("✓ ") for c in cells for o in c.outputs
                         if o.get("output_type") == "stream" for line in o.get("text", "").splitlines())
    if not ticks or ticks != expected_ticks:
        raise AssertionError(f"{ticks} ✓ lines printed, the committed notebook has {expected_ticks}")
    return compared, ticks, stderr


def run(chapter: str, tmp: Path, processes: Processes) -> None:
    config = course_config()
    branch = config["repository"].get("branch", "master")  # as link_for
    public_repo = config["repository"]["url"].rstrip("/")
    owner, name = public_repo.rsplit("/", 2)[-2:]
    hub = None
    try:
        with step("the launch button's link, as the book makes it with launch_buttons.jupyterhub_url set"):
            example_hub = "https://hub.example.org"
            ours, theirs = link_for(config, example_hub, chapter), theme_link(config, example_hub, chapter)
            if ours != theirs:
                raise AssertionError(f"the link differs from sphinx_book_theme's:\n{ours}\n{theirs}")
            say(theirs)

        with step("publish HEAD as the course repository (a local git URL stands in for GitHub)"):
            # owner/name as on GitHub, so the clone's folder is named as the repository's
            remote = tmp / "git" / owner / name
            head = publish_head(remote, branch)
            repo_url = remote.as_uri()
            if git("status", "--porcelain", "--untracked-files=no"):
                say("note: the work tree has uncommitted changes; the hub gets HEAD only")
            say(f"{repo_url} branch {branch} at {head[:12]}")

        with step("start JupyterHub (test authenticator, local spawner, configurable-http-proxy)"):
            if not PROXY.exists():
                raise SystemExit(f"{PROXY} is missing: npm ci in code/publish_tests/hub")
            hub = Hub(tmp, processes)
            version = hub.wait_ready()
            say(f"JupyterHub {version} at {hub.url}; its proxy's API on 127.0.0.1:{hub.api_port}")

        # The button's link on this hub, the repository swapped for its local
        # copy (the theme takes GitHub-like addresses only, not file://)
        local_config = copy.deepcopy(config)
        local_config["repository"]["url"] = repo_url
        link = link_for(local_config, hub.url, chapter)
        button = theme_link(config, hub.url, chapter)
        ours, theirs = urlsplit(link), urlsplit(button)
        ours_query, theirs_query = parse_qs(ours.query), parse_qs(theirs.query)
        if (ours[:3] != theirs[:3] or ours_query.pop("repo") != [repo_url]
                or theirs_query.pop("repo") != [public_repo] or ours_query != theirs_query):
            raise AssertionError(f"the link is not the button's with the repository swapped:\n{link}\n{button}")
        student = Browser(hub)

        with step("the student follows the launch link, logs in and launches a server"):
            say(link)
            page = student.open(link)
            if "/hub/login" not in urlsplit(page.url).path:
                raise AssertionError(f"a visitor was not sent to the login page but to {page.url}")
            page = student.log_in(page, hub.password)
            if page.status_code != 200 or "nbgitpuller" not in page.text:
                raise AssertionError(f"the link did not end on nbgitpuller's page: HTTP {page.status_code} "
                                     f"{page.url}\n{page.text[:1000]}")
            for hop in student.hops:
                say(hop)

        with step("nbgitpuller clones the course into the student's home"):
            target, output = pull_like_nbgitpuller_page(student, page)
            say(f"git: {output[-1] if output else '(no output)'}")
            lab = student.open(target)
            if lab.status_code != 200 or "JupyterLab" not in lab.text:
                raise AssertionError(f"{target}: HTTP {lab.status_code}, not JupyterLab")
            say(f"then JupyterLab opens {urlsplit(target).path}")

        api = ServerAPI(f"{hub.url}/user/{STUDENT}", session=student.session, timeout=60)
        with step("the course is in the student's home and server"):
            check_landed(hub.home, name, head, api)

        path = f"{name}/{chapter}"
        with step(f"run {chapter} cell by cell through the student's kernel"):
            probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
                "import sys, nncalc; print(sys.prefix); print(nncalc.__file__)")])
            prefix, nncalc_file = api.run_notebook(f"{name}/probe.ipynb", probe)[0].text().split()
            say(f"the kernel's Python: {prefix}; nncalc from {nncalc_file}")
            committed = api.notebook(path)
            start = time.monotonic()
            runs = api.run_notebook(path, committed)
            compared, ticks, stderr = compare_with_committed(committed, runs)
            say(f"{len(runs)} code cells ran in {time.monotonic() - start:.1f} s, {ticks} ✓ checks; "
                f"{compared} cells printed exactly the committed text"
                f" ({len(runs) - compared} NBVAL_IGNORE_OUTPUT)")
            for line in stderr:
                say(f"stderr: {line}")
    except BaseException:
        if hub is not None:
            print(f"--- the end of the hub's log ({hub.log_path.name}):\n{hub.log_tail()}", file=sys.stderr)
        raise


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chapter", default=DEFAULT_CHAPTER,
                        help=f"the chapter to run through the student's kernel (default {DEFAULT_CHAPTER})")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if not (ROOT / args.chapter).is_file():
        parser.error(f"no notebook {args.chapter}")
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGHUP, _stop_on_signal)
    tmp = Path(tempfile.mkdtemp(prefix="hub-check-"))
    processes = Processes()
    ok = False
    try:
        run(args.chapter, tmp, processes)
        ok = True
    except (AssertionError, CellError, TimeoutError, RuntimeError) as error:
        print(f"hub check FAILED: {error}", file=sys.stderr)
    finally:
        with step("stop everything the check started"):
            stopped = processes.stop_all()
            say(f"stopped {len(stopped)} processes ({', '.join(stopped) or 'none'}); none is left")
            if args.keep:
                say(f"kept {tmp}")
            else:
                shutil.rmtree(tmp, ignore_errors=True)
    if ok:
        print(f"hub check passed in {time.monotonic() - T0:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
