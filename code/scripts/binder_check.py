"""Check the Binder path as far as it can be checked without Binder.

Run with the Python of a fresh virtual environment made from
requirements.txt alone (``make binder-check`` does exactly that), from the
repository root:

    python code/scripts/binder_check.py chapters/*.ipynb

It checks that ipywidgets' JupyterLab extension is installed, starts a real
JupyterLab server on 127.0.0.1, checks that the JupyterLab page is served,
and then runs every code cell of every notebook given, in order, through a
kernel of that server (REST API + kernel websocket, as JupyterLab itself
does; the client is code/scripts/jupyter_api.py, shared with the
JupyterHub check). It fails on the first cell that raises.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from jupyter_api import ServerAPI, free_port


def check_widget_extension() -> None:
    out = subprocess.run([sys.executable, "-m", "jupyter", "labextension", "list"],
                         capture_output=True, text=True, check=True)
    listing = out.stdout + out.stderr
    line = next((l for l in listing.splitlines() if "@jupyter-widgets/jupyterlab-manager" in l), "")
    if "enabled" not in line or "OK" not in line:
        sys.exit(f"ipywidgets' JupyterLab extension is missing or broken:\n{listing}")
    print(f"widget extension: {' '.join(line.split())}")


class Server:
    def __init__(self, root: Path):
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.api = ServerAPI(f"http://127.0.0.1:{self.port}", token=self.token)
        self.log = tempfile.TemporaryFile(mode="w+")
        # CI runs as root; Binder does not (repo2docker's user is jovyan)
        root_flag = ["--allow-root"] if os.geteuid() == 0 else []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
             f"--port={self.port}", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={root}", *root_flag],
            stdout=self.log, stderr=subprocess.STDOUT, text=True)

    def wait_ready(self, timeout=90):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                sys.exit(f"the Jupyter server exited:\n{self.log.read()}")
            try:
                self.api.request("GET", "/api/status")
                return
            except (OSError, RuntimeError):
                pass
            time.sleep(0.5)
        sys.exit("the Jupyter server did not start in time")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def run_notebook(server: Server, path: Path, root: Path) -> tuple[int, float]:
    rel = path.resolve().relative_to(root).as_posix()
    start = time.perf_counter()
    runs = server.api.run_notebook(rel, nbformat.read(path, as_version=4))
    return len(runs), time.perf_counter() - start


def main(paths: list[str]) -> None:
    if not paths:
        sys.exit("usage: binder_check.py NOTEBOOK.ipynb ...")
    root = Path.cwd().resolve()
    check_widget_extension()
    server = Server(root)
    try:
        server.wait_ready()
        page = server.api.request("GET", "/lab", ok=range(100, 600))
        if page.status_code != 200 or "JupyterLab" not in page.text:
            sys.exit(f"/lab did not serve JupyterLab (HTTP {page.status_code})")
        print(f"JupyterLab serves /lab on 127.0.0.1:{server.port}")
        for name in paths:
            n, seconds = run_notebook(server, Path(name), root)
            print(f"{name}: {n} code cells ran through the server's kernel in {seconds:.1f} s")
    finally:
        server.stop()
    print("binder check passed")


if __name__ == "__main__":
    main(sys.argv[1:])
