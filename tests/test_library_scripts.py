"""The README's library code works as written: run as a plain script (no `if __name__ ==
"__main__":` guard) and in a Jupyter notebook, with the default worker count and with two local
workers. A worker that imported the script's `__main__` ran its body again and ended the sweep
in BrokenProcessPool."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from plans import ROOT

TAIL = """
frame2 = sweep(plan, {"deadline.years": [20, 25, 30, 35]}, workers=2).to_frame()
print("ROWS", len(frame), len(frame2))
print("BODY RUNS")
"""


def readme_library_code() -> str:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"## Library\n+```python\n(.*?)```", text, re.S)
    assert block, "README.md has a ## Library python block"
    code = block.group(1)
    assert "sweep(plan" in code and "__main__" not in code
    return code


@pytest.mark.slow
def test_readme_library_code_as_a_plain_script(tmp_path):
    script = tmp_path / "readme.py"
    script.write_text(readme_library_code() + TAIL)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert "ROWS 6 8" in run.stdout, run.stdout   # 3 and 4 points, baseline and one intervention each
    assert run.stdout.count("BODY RUNS") == 1, run.stdout   # the workers did not run the script again
    assert "Traceback" not in run.stderr, run.stderr


@pytest.mark.slow
def test_readme_library_code_in_a_notebook():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import matplotlib\nmatplotlib.use('Agg')"),
                nbformat.v4.new_code_cell(readme_library_code()), nbformat.v4.new_code_cell(TAIL)]
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute()   # raises CellExecutionError with the cell's traceback if any cell fails
    out = "".join(o.get("text", "") for o in nb.cells[2].outputs if o.get("output_type") == "stream")
    assert "ROWS 6 8" in out and out.count("BODY RUNS") == 1, out
