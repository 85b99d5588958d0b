"""Nothing a user wrote is lost (issue 18, part 2): no command writes over the plan or a data file
it reads (also one named through --set, --scenario, a swept value or a Monte Carlo choice), over
anything but a regular file (a FIFO, device, symlink or folder), or into a missing folder; each is
refused with one line and exit 2 before any solve. Files are written with the umask's mode (an
existing file keeps its own). Every command that writes is checked, side files included."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from planner.cli.main import main
from plans import ROOT

PLAN = """
[plan]
name = "safe"
start_year = 2030
horizon = 4
objective = "earliest"

[[pools]]
name = "staff"
supply = { file = "supply.csv", column = "fte" }

[[streams]]
name = "only"
pool = "staff"
effort = 3

[[interventions]]
name = "more staff"
supply = [{ pool = "staff", multiply = 2 }]

[overrides.alt]
"pools.staff.supply" = { file = "alt.csv", column = "fte" }
"""

CSV = "year,fte\n2030,5\n"
PSPLIB = ROOT / "tests" / "data" / "psplib" / "j3011_10.sm"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A plan reading supply.csv (and alt.csv under --scenario alt), with the CLI run from its folder."""
    (tmp_path / "plan.toml").write_text(PLAN, encoding="utf-8")
    for name in ("supply.csv", "alt.csv", "other.csv", "r-comparison.png", "d.summary.csv"):
        (tmp_path / name).write_text(CSV, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def refused(capsys, argv: list[str], *fragments: str) -> str:
    """Run the CLI: exit 2 and one line on stderr naming every fragment, nothing on stdout."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert code == 2, (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("planner: error: "), err
    for f in fragments:
        assert f in lines[0], (f, err)
    return lines[0]


def contents(folder: Path) -> dict[str, bytes | str]:
    """Every entry of the folder with what it is: bytes of a file, the target of a link, a kind."""
    out = {}
    for p in sorted(folder.iterdir()):
        if p.is_symlink():
            out[p.name] = "-> " + os.readlink(p)
        elif p.is_file():
            out[p.name] = p.read_bytes()
        else:
            out[p.name] = stat.filemode(p.lstat().st_mode)
    return out


# Every command that writes, with the option that names its output: (argv before the output, option).
WRITERS = {
    "solve": (["solve", "plan.toml"], "-o", ".csv"),
    "compare": (["compare", "plan.toml"], "-o", ".json"),
    "sweep": (["sweep", "plan.toml", "--set", "plan.horizon=4,5", "--workers", "1"], "-o", ".csv"),
    "sweep --plot": (["sweep", "plan.toml", "--set", "plan.horizon=4,5", "--workers", "1"], "--plot", ".png"),
    "montecarlo": (["montecarlo", "plan.toml", "-n", "2", "--workers", "1"], "-o", ".csv"),
    "montecarlo --plot": (["montecarlo", "plan.toml", "-n", "2", "--workers", "1"], "--plot", ".png"),
    "breakeven --plot": (["breakeven", "plan.toml", "--intervention", "more staff", "--vary", "plan.horizon"],
                         "--plot", ".png"),
    "plot": (["plot", "plan.toml", "--kind", "schedule"], "-o", ".png"),
    "report": (["report", "plan.toml"], "-o", ".html"),
    "report md": (["report", "plan.toml"], "-o", ".md"),
    "init": (["init", "--force"], "", ".toml"),
    "import-psplib": (["import-psplib", PSPLIB, "--force"], "-o", ".toml"),
}


def argv(command: str, target) -> list:
    head, option, _ = WRITERS[command]
    return head + ([option] if option else []) + [target]


# --- the plan and the files it reads ----------------------------------------------------------

@pytest.mark.parametrize("command, target, extra, named", [
    ("solve", "supply.csv", [], "supply.csv"),
    ("compare", "supply.csv", [], "supply.csv"),
    ("compare", "d.csv", ["--set", 'pools.staff.supply={ file = "d.summary.csv", column = "fte" }'], "d.summary.csv"),
    ("solve", "other.csv", ["--set", 'pools.staff.supply={ file = "other.csv", column = "fte" }'], "other.csv"),
    ("solve", "alt.csv", ["--scenario", "alt"], "alt.csv"),
    ("sweep", "supply.csv", [], "supply.csv"),
    ("sweep", "other.csv", ["--set", "pools.staff.supply.file=supply.csv,other.csv"], "other.csv"),
    ("montecarlo", "supply.csv", [], "supply.csv"),
    ("report md", "r.md", ["--set", 'pools.staff.supply={ file = "r-comparison.png", column = "fte" }'], "r-comparison.png"),
])
def test_no_output_replaces_a_data_file_the_plan_reads(folder, capsys, command, target, extra, named):
    before = contents(folder)
    refused(capsys, argv(command, target) + extra, f"{named}: that is a data file the plan reads",
            "which the output would replace")
    assert contents(folder) == before


@pytest.mark.parametrize("command", ["sweep", "montecarlo", "compare"])
def test_no_output_replaces_the_plan_itself(tmp_path, capsys, command, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = tmp_path / "plan.json"
    plan.write_text('{"plan": {"horizon": 4, "objective": "earliest"}, "pools": [{"name": "s", "supply": 5}],'
                    ' "streams": [{"name": "a", "pool": "s", "effort": 3}]}', encoding="utf-8")
    os.link(plan, tmp_path / "hard.json")           # the same file under a second name
    before = contents(tmp_path)
    head = ["sweep", plan, "--set", "plan.horizon=4,5"] if command == "sweep" else \
        ["montecarlo", plan, "-n", "2"] if command == "montecarlo" else ["compare", plan]
    for target in (plan, tmp_path / "hard.json"):
        refused(capsys, head + ["-o", target], str(target), "that is the plan file, which the output would replace")
    assert contents(tmp_path) == before


def test_import_psplib_does_not_replace_its_instance(tmp_path, capsys):
    instance = tmp_path / "x.toml"
    instance.write_bytes(PSPLIB.read_bytes())
    link = tmp_path / "j.sm"
    os.link(instance, link)
    refused(capsys, ["import-psplib", link, "-o", instance, "--force"], "the instance being read")
    assert instance.read_bytes() == PSPLIB.read_bytes()


# --- only a regular file or a new name -----------------------------------------------------------

@pytest.mark.parametrize("command", list(WRITERS))
@pytest.mark.parametrize("kind", ["fifo", "symlink", "dangling symlink", "folder"])
def test_outputs_are_only_regular_files(folder, capsys, command, kind):
    target = folder / ("out" + WRITERS[command][2])
    if command == "report md":      # a side file: one of the PNGs beside the report
        checked, target = target, folder / "out-schedule-1.png"
    else:
        checked = target
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "symlink":
        (folder / "kept.txt").write_text("mine\n", encoding="utf-8")
        target.symlink_to("kept.txt")
    elif kind == "dangling symlink":
        target.symlink_to("nowhere.txt")
    else:
        target.mkdir()
    before = contents(folder)
    refused(capsys, argv(command, checked), str(target),
            {"fifo": "FIFO", "folder": "directory"}.get(kind, "symbolic link"))
    assert contents(folder) == before


@pytest.mark.parametrize("option", ["-o", "--plot"])
def test_the_side_files_are_checked_too(folder, capsys, option):
    """solve's out.summary.csv and montecarlo's --plot tornado are outputs like the file named."""
    os.mkfifo(folder / "out.summary.csv")
    os.mkfifo(folder / "mc-tornado.png")
    before = contents(folder)
    if option == "-o":
        refused(capsys, ["solve", "plan.toml", "-o", "out.csv"], "out.summary.csv", "FIFO")
    else:
        refused(capsys, ["montecarlo", "plan.toml", "-n", "2", "--plot", "mc.png"], "mc-tornado.png", "FIFO")
    assert contents(folder) == before


@pytest.mark.parametrize("command", ["init", "solve", "report"])
def test_a_device_stays_a_device(tmp_path, capsys, monkeypatch, command):
    """`init /dev/full --force` once left a regular file in place of the device. A device made in
    tmp_path (the same kind as /dev/null), so that a regression replaces nothing outside it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan.toml").write_text(PLAN.replace('{ file = "supply.csv", column = "fte" }', "5"),
                                        encoding="utf-8")
    device = tmp_path / ("dev.json" if command == "solve" else "dev.html" if command == "report" else "dev")
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs privileges")
    head = ["init", "--force"] if command == "init" else [command, "plan.toml", "-o"]
    refused(capsys, head + [device], str(device), "character device")
    assert stat.S_ISCHR(os.lstat(device).st_mode)


# --- a missing folder: refused with its path, for every command ---------------------------------

@pytest.mark.parametrize("command", list(WRITERS))
def test_a_missing_folder_is_refused_with_its_path(folder, capsys, command):
    before = contents(folder)
    refused(capsys, argv(command, Path("new") / "sub" / ("out" + WRITERS[command][2])),
            "the folder new/sub does not exist")
    assert contents(folder) == before


def test_an_output_under_a_file_names_the_file(folder, capsys):
    refused(capsys, ["solve", "plan.toml", "-o", "plan.toml/a/x.json"], "plan.toml is not a folder")


# --- modes: the umask's, and an existing file keeps its own ------------------------------------

@pytest.fixture
def umask():
    """Set the process's umask for one test, and put the old one back."""
    saved = os.umask(0o022)
    yield os.umask
    os.umask(saved)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask", [0o027])
def test_new_files_get_the_umask_mode(folder, capsys, umask, mask):
    umask(mask)
    assert main(["solve", "plan.toml", "-o", "out.csv"]) == 0
    assert main(["report", "plan.toml", "-o", "rep.md"]) == 0
    assert main(["init", "new.toml"]) == 0
    assert main(["sweep", "plan.toml", "--set", "plan.horizon=4,5", "--workers", "1", "-o", "s.json",
                 "--plot", "s.png"]) == 0
    written = ["out.csv", "out.summary.csv", "rep.md", "rep-comparison.png", "rep-schedule-0.png", "new.toml",
               "s.json", "s.png"]
    assert {name: oct(mode(folder / name)) for name in written} == {name: oct(0o666 & ~mask) for name in written}
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_a_replaced_file_keeps_its_mode(folder, capsys, umask):
    umask(0o022)
    for name, m in (("out.json", 0o640), ("r.html", 0o604), ("new.toml", 0o600)):
        (folder / name).write_text("old\n", encoding="utf-8")
        os.chmod(folder / name, m)
    assert main(["solve", "plan.toml", "-o", "out.json"]) == 0
    assert main(["report", "plan.toml", "-o", "r.html"]) == 0
    assert main(["init", "new.toml", "--force"]) == 0
    assert [oct(mode(folder / n)) for n in ("out.json", "r.html", "new.toml")] == ["0o640", "0o604", "0o600"]
    assert all((folder / n).read_text(encoding="utf-8") != "old\n" for n in ("out.json", "r.html", "new.toml"))
