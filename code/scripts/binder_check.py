"""Check the Binder path as far as it can be checked without Binder.

Run with the Python of a fresh virtual environment made from
requirements.txt alone (``make binder-check`` does exactly that), from the
repository root:

    python code/scripts/binder_check.py chapters/*.ipynb

It checks that ipywidgets' JupyterLab extension is installed, starts a real
JupyterLab server on 127.0.0.1, checks that the JupyterLab page is served,
and then runs every code cell of every notebook given, in order, through a
kernel of that server (REST API + kernel websocket, as JupyterLab itself
does). It fails on the first cell that raises.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import nbformat
import websocket  # websocket-client, a dependency of jupyter_server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile(mode="w+")
        # CI runs as root; Binder does not (repo2docker's user is jovyan)
        root_flag = ["--allow-root"] if os.geteuid() == 0 else []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
             f"--port={self.port}", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={root}", *root_flag],
            stdout=self.log, stderr=subprocess.STDOUT, text=True)

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.base}{path}", data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
            return resp.status, raw

    def wait_ready(self, timeout=90):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                sys.exit(f"the Jupyter server exited:\n{self.log.read()}")
            try:
                status, _ = self.request("GET", "/api/status")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        sys.exit("the Jupyter server did not start in time")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _message(code: str, session: str) -> dict:
    return {
        "header": {"msg_id": uuid.uuid4().hex, "username": "binder-check", "session": session,
                   "msg_type": "execute_request", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": True,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }


def run_notebook(server: Server, path: Path, root: Path) -> tuple[int, float]:
    rel = path.resolve().relative_to(root).as_posix()
    _, raw = server.request("POST", "/api/sessions",
                            {"path": rel, "type": "notebook", "name": path.name,
                             "kernel": {"name": "python3"}})
    session = json.loads(raw)
    kernel_id = session["kernel"]["id"]
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels?token={server.token}",
        timeout=300)
    start = time.perf_counter()
    cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    session_id = uuid.uuid4().hex
    try:
        for index, cell in enumerate(cells):
            msg = _message(cell.source, session_id)
            ws.send(json.dumps(msg))
            while True:
                reply = json.loads(ws.recv())
                if reply.get("parent_header", {}).get("msg_id") != msg["header"]["msg_id"]:
                    continue
                kind = reply["header"]["msg_type"]
                if kind == "error":
                    tb = "\n".join(reply["content"].get("traceback", []))
                    raise RuntimeError(f"{rel}: code cell {index + 1} raised "
                                       f"{reply['content']['ename']}: {reply['content']['evalue']}\n{tb}")
                if kind == "execute_reply":
                    if reply["content"]["status"] != "ok":
                        raise RuntimeError(f"{rel}: code cell {index + 1} ended with "
                                           f"status {reply['content']['status']}")
                    break
    finally:
        ws.close()
        server.request("DELETE", f"/api/sessions/{session['id']}")
    return len(cells), time.perf_counter() - start


def main(paths: list[str]) -> None:
    if not paths:
        sys.exit("usage: binder_check.py NOTEBOOK.ipynb ...")
    root = Path.cwd().resolve()
    check_widget_extension()
    server = Server(root)
    try:
        server.wait_ready()
        status, page = server.request("GET", "/lab")
        if status != 200 or b"JupyterLab" not in page:
            sys.exit(f"/lab did not serve JupyterLab (HTTP {status})")
        print(f"JupyterLab serves /lab on 127.0.0.1:{server.port}")
        for name in paths:
            n, seconds = run_notebook(server, Path(name), root)
            print(f"{name}: {n} code cells ran through the server's kernel in {seconds:.1f} s")
    finally:
        server.stop()
    print("binder check passed")


if __name__ == "__main__":
    main(sys.argv[1:])
