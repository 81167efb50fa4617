"""Write the student edition of every chapter notebook: exercises, no solutions.

Usage: python code/scripts/student_notebooks.py [OUT_DIR]   (default _build/student)

For each chapter of the book (``_toc.yml``), ``chapters/NN_name.ipynb`` (the
committed notebook, with the outputs of one clean run) becomes
``OUT_DIR/NN_name.ipynb`` with:

- every solution removed, with everything in it: a gated solution
  (```` ```{solution-start} ex-... ```` up to ```` ```{solution-end} ````,
  with the markdown and the code cells between, and their outputs) and a
  solution written as one block (``{solution}`` in backticks or colons);
  a markdown cell left empty is dropped;
- after each exercise whose statement names a self-check
  (``nc.checks.check_...(...)``), a code cell that runs it, tagged
  ``self-check`` (and ``raises-exception``: before the reader has written
  the function it names, the cell stops with a NameError);
- everything else as it is, cell ids and outputs included, without the
  jupytext pairing (a student's copy has no text file beside it).

The fences are MyST's: a block opened by three or more backticks or colons
closes at a line of the same character, at least as long, and nothing
else. A solution left open, or a solution-end without a start, is an error
naming the notebook.
"""

import copy
import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "_build" / "student"

_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}")
_CHECK = re.compile(r"nc\.checks\.check_\w+\([\w ,]*\)")
_LABEL = re.compile(r"^:label:\s*(\S+)", re.M)


def _closes(line, fence):
    stripped = line.strip()
    return (len(line) - len(line.lstrip(" ")) <= 3 and len(stripped) >= len(fence)
            and set(stripped) == {fence[0]})


def _block_end(lines, start, fence):
    """Index of the line closing the block opened at ``start`` by ``fence``."""
    for i in range(start + 1, len(lines)):
        if _closes(lines[i], fence):
            return i
    return None


class _Splitter:
    """Walks a notebook's cells; keeps what is not a solution."""

    def __init__(self, name):
        self.name = name
        self.in_solution = False
        self.cells = []
        self.checks = []  # (exercise label, [calls])

    def _self_check_cell(self, label, calls, source_id, n):
        lines = [f"# Self-check for exercise {label}: write the function it names",
                 "# in a cell above, then run this cell."]
        if len(calls) == 1:
            lines.append(calls[0])
        else:
            lines += [f"print({c})" for c in calls]
        cell = nbformat.v4.new_code_cell("\n".join(lines))
        cell["id"] = f"{source_id}-check{n}"[:64]
        cell["metadata"] = {"tags": ["self-check", "raises-exception"]}
        return cell

    def markdown(self, cell):
        lines = cell["source"].split("\n")
        kept, parts, i = [], [], 0
        while i < len(lines):
            line = lines[i]
            m = _OPEN.match(line)
            name = m.group("name") if m else None
            if self.in_solution:
                if name == "solution-end":
                    end = _block_end(lines, i, m.group("fence"))
                    i = len(lines) if end is None else end + 1
                    self.in_solution = False
                elif name == "solution-start":
                    raise ValueError(f"{self.name}: solution-start inside a solution")
                else:
                    i += 1
                continue
            if name == "solution-end":
                raise ValueError(f"{self.name}: solution-end without a solution-start")
            if name in ("solution-start", "solution"):
                end = _block_end(lines, i, m.group("fence"))
                if end is None:
                    raise ValueError(f"{self.name}: {name} block not closed in its cell")
                self.in_solution = name == "solution-start"
                i = end + 1
                continue
            if name == "exercise":
                end = _block_end(lines, i, m.group("fence"))
                if end is None:
                    raise ValueError(f"{self.name}: exercise block not closed in its cell")
                block = "\n".join(lines[i:end + 1])
                kept += lines[i:end + 1]
                calls = list(dict.fromkeys(_CHECK.findall(block)))
                if calls:
                    label = _LABEL.search(block)
                    parts.append(kept)
                    parts.append((label.group(1) if label else "?", calls))
                    kept = []
                i = end + 1
                continue
            kept.append(line)
            i += 1
        parts.append(kept)
        n = 0
        for part in parts:
            if isinstance(part, tuple):
                n += 1
                self.checks.append(part)
                self.cells.append(self._self_check_cell(*part, cell.get("id", "cell"), n))
                continue
            text = "\n".join(part).strip("\n")
            if text.strip():
                new = copy.deepcopy(cell)
                new["source"] = text
                if any(c.get("id") == new.get("id") for c in self.cells):
                    new["id"] = f"{cell['id']}-{len(self.cells)}"[:64]
                self.cells.append(new)

    def code(self, cell):
        if not self.in_solution:
            self.cells.append(cell)


def student_notebook(nb, name="notebook"):
    """The student edition of a notebook (a new notebook; ``nb`` is unchanged)."""
    split = _Splitter(name)
    for cell in copy.deepcopy(nb).cells:
        if cell["cell_type"] == "markdown":
            split.markdown(cell)
        elif cell["cell_type"] == "code":
            split.code(cell)
        else:
            split.cells.append(cell)
    if split.in_solution:
        raise ValueError(f"{name}: a solution-start has no solution-end")
    out = copy.deepcopy(nb)
    out.cells = split.cells
    out.metadata.pop("jupytext", None)
    return out


def chapter_notebooks():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [entry["file"] for part in toc.get("parts", []) for entry in part.get("chapters", [])]
    return [ROOT / f"{f}.ipynb" for f in files if (ROOT / f"{f}.ipynb").exists()]


def main(out=OUT):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for path in chapter_notebooks():
        nb = nbformat.read(path, as_version=4)
        student = student_notebook(nb, path.name)
        nbformat.validate(student)
        nbformat.write(student, out / path.name)
        n_code = sum(c.cell_type == "code" for c in nb.cells)
        n_kept = sum(c.cell_type == "code" for c in student.cells
                     if "self-check" not in c.metadata.get("tags", []))
        n_checks = sum("self-check" in c.metadata.get("tags", []) for c in student.cells)
        print(f"{out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}/{path.name}: "
              f"{n_code - n_kept} solution code cells removed, {n_checks} self-check cells")


if __name__ == "__main__":
    main(*sys.argv[1:2])
