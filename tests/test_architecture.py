"""The layout's contracts: checks/ never imports Qt; every wording key the code names exists."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

from checks.text.catalogs import english_tree
from checks.text.wording import say
from tests.conftest import ROOT


def test_checks_package_never_imports_qt():
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / "checks").rglob("*.py"))
    code = (f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
            "qt = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'PyQt'))]\n"
            "assert not qt, qt\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert len(modules) >= 10


def test_only_app_mentions_pyside():
    for path in ROOT.glob("checks/**/*.py"):
        assert "PySide6" not in path.read_text(), path


def test_every_literal_wording_key_exists():
    keys = set()
    for path in list(ROOT.glob("checks/**/*.py")) + list(ROOT.glob("app/*.py")):
        keys |= set(re.findall(r"""\bsay\(\s*["']([a-z_.]+)["']""", path.read_text()))
    assert len(keys) > 20
    for key in keys:
        assert say(key.rstrip(".")) if not key.endswith(".") else True


def test_the_wording_has_one_source_and_the_catalogs_are_made_from_it():
    """English is written once, in assets/locale/english.toml; every other language is a gettext catalog beside it
    (tests/test_catalogs.py holds them to the template extracted from it). No wording file of another kind remains."""
    assert (ROOT / "assets" / "locale" / "english.toml").is_file()
    assert not list((ROOT / "assets").glob("wording*.toml"))
    catalogs = [p.relative_to(ROOT).as_posix() for p in ROOT.glob("**/*.po") if not p.relative_to(ROOT).parts[0]
                .startswith((".", "dist", "build"))]
    assert catalogs and all(re.fullmatch(r"assets/locale/[a-z]{2,3}/LC_MESSAGES/messages\.po", p) for p in catalogs)


def test_every_runner_key_and_source_error_has_summary_and_advice():
    wording = english_tree()
    for group in (wording["runner"], wording["sources"]["camera"], wording["sources"]["mic"]):
        for key, entry in group.items():
            if isinstance(entry, dict):
                assert isinstance(entry["summary"], str) and isinstance(entry["advice"], list), key


def _imports_of(path) -> set[str]:
    """The modules of app/ and checks/ that a file imports, lazily or not (imports only for type checkers left out)."""
    import ast

    tree = ast.parse(path.read_text())
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.split(".")[0] in ("app", "checks")}


def import_graph() -> dict[str, set[str]]:
    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
               for package in ("app", "checks") for p in (ROOT / package).rglob("*.py")}
    return {name: {m for m in _imports_of(path) if m in modules and m != name} for name, path in modules.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_circle_finder_finds_a_circle_and_passes_a_line():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_app_and_checks_have_no_import_circles():
    graph = import_graph()
    assert "checks.engine.runner" in graph["app.workers"] and "checks.api" in graph["checks.engine.runner"]
    assert len(graph) > 40
    assert circles(graph) == []


HEAVY = ("cv2", "numpy", "sounddevice", "PySide6", "pydantic")


def _loaded_after(code: str) -> list[str]:
    """The heavy modules loaded by ``code`` in a fresh interpreter (it prints ``sys.modules``' names)."""
    done = subprocess.run([sys.executable, "-c", f"import sys\n{code}\nprint(' '.join(sys.modules))"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen", "HOME": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return sorted({name.split(".")[0] for name in done.stdout.split()} & set(HEAVY))


def test_help_version_and_a_bad_argument_load_nothing_heavy():
    for args in (["--version"], ["--help"], ["--bogus"], ["check", "--help"]):
        code = f"from app.cli import main\ntry:\n    main({args!r})\nexcept SystemExit:\n    pass"
        assert _loaded_after(code) == [], args


def test_the_starting_window_shows_before_opencv_and_numpy_load():
    code = ("from app.starting import show_starting\nw = show_starting()\n"
            "assert w.isVisible() and w.text() == __import__('checks.text.wording').text.wording.say('ui.starting')")
    assert _loaded_after(code) == ["PySide6"]


def test_check_and_list_checks_load_no_qt():
    for args in (["check", "--camera", "none", "--mic", "none", "--network", "none", "--screen", "none", "--only",
                  "system.power", "--json"], ["list-checks"]):
        code = f"from app.cli import main\nimport contextlib, io\nwith contextlib.redirect_stdout(io.StringIO()):\n" \
               f"    main({args!r})"
        assert "PySide6" not in _loaded_after(code), args


THREAD_MAKERS = {"Thread", "QThread", "QThreadPool", "ThreadPoolExecutor", "Timer"}
"""What starts a thread or makes a pool of threads (``Timer``: :class:`threading.Timer` is a thread too)."""
OWN_THREADS = {"app/workers.py": {"QThreadPool"}, "app/guard_cli.py": {"Thread"}}
"""The places in ``app/`` that may: the worker base, and the guard command (no Qt there; its docstring says why)."""


def threads_made(source: str) -> set[str]:
    """The thread makers ``source`` calls or subclasses (``threading.Thread(...)``, ``QThreadPool()``, ``class
    X(Thread)``); ``QThreadPool.globalInstance()`` is the pool every worker shares, not one of its own."""
    def name(node: ast.expr) -> str:
        if isinstance(node, ast.Attribute):
            return node.attr
        return node.id if isinstance(node, ast.Name) else ""

    made = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            made.add(name(node.func))
        elif isinstance(node, ast.ClassDef):
            made |= {name(base) for base in node.bases}
    return made & THREAD_MAKERS


def test_the_thread_finder_finds_threads_and_pools_but_not_the_shared_pool():
    assert threads_made("import threading\nthreading.Thread(target=print).start()") == {"Thread"}
    assert threads_made("class Coach(threading.Thread):\n    pass") == {"Thread"}
    assert threads_made("from PySide6.QtCore import QThreadPool\npool = QThreadPool()") == {"QThreadPool"}
    assert threads_made("QThreadPool.globalInstance().start(print)\nthreading.Event()") == set()


def test_app_runs_work_off_the_gui_thread_only_through_the_worker_base():
    """One way in ``app/``: :class:`app.workers.Worker`; a sound card's callbacks hand over through
    :class:`app.handoff.Handoff` (the sound library's own thread, started by it, not by ``app/``)."""
    made = {str(p.relative_to(ROOT)): threads_made(p.read_text(encoding="utf-8")) for p in ROOT.glob("app/**/*.py")}
    assert len(made) > 20
    assert {path: found for path, found in made.items() if found - OWN_THREADS.get(path, set())} == {}


def _packages() -> list:
    """Every package of the project's own code (a folder with an ``__init__.py``)."""
    return sorted(init.parent for top in ("app", "checks", "tests", "bundle", "assets")
                  for init in (ROOT / top).rglob("__init__.py"))


def test_no_top_level_checks_module_shares_a_name_with_one_in_a_subpackage():
    """One name, one thing: a "network" module at the top beside the network check in builtin/ made a newcomer
    guess which was meant. The top of checks/ is the plugin API alone; everything else sits in the package of its
    role."""
    top = {p.stem for p in (ROOT / "checks").glob("*.py")} - {"__init__"}
    below = {p.stem for p in (ROOT / "checks").glob("*/**/*.py")} | {
        p.name for p in (ROOT / "checks").iterdir() if (p / "__init__.py").exists()}
    assert "api" in top and {"runner", "engine", "network"} <= below
    assert not top & below, top & below
    assert top == {"api"}, f"place {sorted(top - {'api'})} in the package of its role"


def test_no_module_is_named_kiosk_guard():
    """The kiosk's lock-down is ``app/lockdown.py``: "guard" is interview mode's word alone."""
    named = [p for top in ("app", "checks", "tests") for p in (ROOT / top).rglob("kiosk_guard*.py")]
    assert not named, named


def test_every_package_says_its_role_in_a_docstring():
    import ast

    packages = _packages()
    assert {ROOT / "checks" / "engine", ROOT / "tests" / "support", ROOT / "tests" / "bench"} <= set(packages)
    silent = [p.relative_to(ROOT).as_posix() for p in packages
              if not ast.get_docstring(ast.parse((p / "__init__.py").read_text()))]
    assert not silent, silent


def test_tests_are_laid_out_by_role():
    """Test files at the top of tests/, the helpers they share in tests/support/, benchmarks in tests/bench/; none
    edits sys.path to be found (each is imported as ``tests.support.NAME`` and run with ``python -m``)."""
    top = {p.name for p in (ROOT / "tests").glob("*.py")} - {"__init__.py", "conftest.py"}
    assert top and not [name for name in top if not name.startswith("test_")]
    assert list((ROOT / "tests" / "bench").glob("*.py")) and list((ROOT / "tests" / "support").glob("*.py"))
    editing = [p.relative_to(ROOT).as_posix() for folder in ("support", "bench")
               for p in (ROOT / "tests" / folder).glob("*.py") if re.search(r"^sys\.path\.", p.read_text(), re.M)]
    assert not editing, editing
