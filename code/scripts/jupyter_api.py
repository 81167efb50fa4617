"""Talk to a running Jupyter server the way JupyterLab does: its REST API and
a kernel's websocket. Shared by binder_check.py (a JupyterLab server, with a
token) and hub_check.py (a JupyterHub user's server, with the cookies a
student's browser holds after logging in).

Needs only what requirements.txt installs (requests, websocket-client,
nbformat), so it runs with the Python of a fresh environment made from it.
"""

from __future__ import annotations

import json
import re
import socket
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import nbformat
import requests
import websocket  # websocket-client, a dependency of jupyter_server


ANSI = re.compile(r"\x1b\[[0-9;]*m")  # IPython's colours in a traceback


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class CellRun:
    """What one code cell printed when it ran: (kind, text) per output, where
    kind is the stream's name or the output type and text is the stream's
    text or the output's text/plain."""

    index: int  # 1-based, among the code cells
    source: str
    outputs: list[tuple[str, str]] = field(default_factory=list)

    def text(self, kind: str = "stdout") -> str:
        return "".join(t for k, t in self.outputs if k == kind)


class CellError(RuntimeError):
    pass


def text_outputs(outputs) -> list[tuple[str, str]]:
    """An nbformat cell's outputs as CellRun.outputs, consecutive stream
    pieces of one stream merged (a notebook stores them merged)."""
    result: list[tuple[str, str]] = []
    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream":
            item = (out["name"], out["text"])
        elif kind in ("execute_result", "display_data"):
            text = out.get("data", {}).get("text/plain")
            if text is None:
                continue
            item = (kind, text if isinstance(text, str) else "".join(text))
        elif kind == "error":
            item = ("error", f"{out['ename']}: {out['evalue']}")
        else:
            continue
        if result and item[0] in ("stdout", "stderr") and result[-1][0] == item[0]:
            result[-1] = (item[0], result[-1][1] + item[1])
        else:
            result.append(item)
    return result


class ServerAPI:
    """A Jupyter server at ``base`` (``http://127.0.0.1:PORT`` for a plain
    server, ``http://127.0.0.1:PORT/user/NAME`` behind JupyterHub).

    Authenticated either by a ``token`` (the Authorization header, as
    ``jupyter lab`` prints it) or by the cookies of ``session``, a
    requests.Session that logged in through a browser-like flow; then, as
    JupyterLab does, requests that change something carry the ``_xsrf``
    cookie back in the X-XSRFToken header.
    """

    def __init__(self, base: str, *, token: str | None = None,
                 session: requests.Session | None = None, timeout: float = 30):
        self.base = base.rstrip("/")
        self.token = token
        self.session = session or requests.Session()
        self.timeout = timeout

    def _headers(self, url: str, method: str) -> dict:
        headers = {}
        if self.token:
            headers["Authorization"] = f"token {self.token}"
        elif method not in ("GET", "HEAD"):
            xsrf = self._cookie("_xsrf", url)
            if xsrf:
                headers["X-XSRFToken"] = xsrf
        return headers

    def _cookie(self, name: str, url: str) -> str | None:
        """The value the browser would send for cookie ``name`` at ``url``
        (the cookie with the longest matching path)."""
        path = urlsplit(url).path
        best = None
        for c in self.session.cookies:
            if c.name == name and path.startswith(c.path or "/"):
                if best is None or len(c.path or "/") > len(best.path or "/"):
                    best = c
        return best.value if best else None

    def request(self, method: str, path: str, body=None, *, ok=(200, 201, 204)):
        url = f"{self.base}{path}"
        resp = self.session.request(method, url, json=body, timeout=self.timeout,
                                    headers=self._headers(url, method), allow_redirects=False)
        if resp.status_code not in ok:
            raise RuntimeError(f"{method} {url}: HTTP {resp.status_code}\n{resp.text[:2000]}")
        return resp

    def json(self, method: str, path: str, body=None):
        return self.request(method, path, body).json()

    def _websocket(self, path: str, timeout: float):
        http_url = f"{self.base}{path}"
        ws_url = "ws" + http_url[len("http"):]
        headers = []
        if self.token:
            headers.append(f"Authorization: token {self.token}")
        else:
            cookie = self.session.prepare_request(requests.Request("GET", http_url)).headers.get("Cookie")
            if cookie:
                headers.append(f"Cookie: {cookie}")
        return websocket.create_connection(ws_url, header=headers, timeout=timeout)

    def notebook(self, path: str):
        """The notebook at ``path`` (relative to the server's root), read
        through the contents API, as JupyterLab opens it."""
        model = self.json("GET", f"/api/contents/{path}?type=notebook&content=1")
        return nbformat.from_dict(model["content"])

    def run_notebook(self, path: str, nb=None, *, cell_timeout: float = 300,
                     on_cell=None) -> list[CellRun]:
        """Run every code cell of the notebook at ``path`` in order, in a new
        kernel session of this server, and return what each printed.

        ``nb`` is the notebook's content (default: read through the contents
        API). Raises CellError, naming the cell, on the first one that
        raises. ``on_cell(CellRun)`` is called after each cell.
        """
        if nb is None:
            nb = self.notebook(path)
        name = path.rsplit("/", 1)[-1]
        session = self.json("POST", "/api/sessions",
                            {"path": path, "type": "notebook", "name": name,
                             "kernel": {"name": "python3"}})
        runs = []
        try:
            ws = self._websocket(f"/api/kernels/{session['kernel']['id']}/channels", cell_timeout)
            try:
                cells = [c for c in nb.cells if c.cell_type == "code"]
                client_session = uuid.uuid4().hex
                for index, cell in enumerate(cells, start=1):
                    run = self._execute(ws, client_session, path, index, cell.source)
                    runs.append(run)
                    if on_cell:
                        on_cell(run)
            finally:
                ws.close()
        finally:
            self.request("DELETE", f"/api/sessions/{session['id']}")
        return runs

    @staticmethod
    def _execute(ws, client_session: str, path: str, index: int, source: str) -> CellRun:
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": "check", "session": client_session,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": source, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        raw_outputs = []
        clear_pending = idle = replied = False
        while not (idle and replied):
            reply = json.loads(ws.recv())
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = reply["header"]["msg_type"]
            content = reply["content"]
            if kind in ("stream", "execute_result", "display_data", "error"):
                if clear_pending:
                    raw_outputs, clear_pending = [], False
                raw_outputs.append({"output_type": kind, **content})
            if kind == "clear_output":  # as the notebook would: now, or at the next output
                if content.get("wait"):
                    clear_pending = True
                else:
                    raw_outputs = []
            if kind == "error":
                tb = ANSI.sub("", "\n".join(content.get("traceback", [])))
                raise CellError(f"{path}: code cell {index} raised "
                                f"{content['ename']}: {content['evalue']}\n{tb}")
            if kind == "execute_reply":
                if content["status"] != "ok":
                    raise CellError(f"{path}: code cell {index} ended with status {content['status']}")
                replied = True
            if kind == "status" and content.get("execution_state") == "idle":
                idle = True  # every output of the cell has been sent
        return CellRun(index, source, text_outputs(raw_outputs))


def wait_until(predicate, timeout: float, what: str, interval: float = 0.25):
    """Call ``predicate`` until it returns something true (which is
    returned); TimeoutError naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:g} s")
        time.sleep(interval)
