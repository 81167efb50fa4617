"""nbval settings for the chapter notebooks in chapters/ (pytest collects them in strict mode).

nbval compares every output of a cell except images: it leaves PNG and JPEG
out, and here SVG too, which the chapters' figures are. An SVG figure is a
picture of numbers the notebook also prints (rounded), and its coordinates
carry a thousandth of a point, so it would change with the last bits of
floating-point arithmetic that differ between processors. Every other
output of a figure cell (its printed text, its checks) is still compared.
The figures are tested by the book build, the PDF check and the site tests.
"""

from nbval.plugin import IPyNbFile


def pytest_collection_modifyitems(items):
    for notebook in {item.parent for item in items if isinstance(item.parent, IPyNbFile)}:
        if "image/svg+xml" not in notebook.skip_compare:
            notebook.skip_compare = notebook.skip_compare + ("image/svg+xml",)
