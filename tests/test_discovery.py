"""Discovery through entry points, on real distributions written into tmp_path (as flake8's finder tests do)."""

from __future__ import annotations

import sys

import pytest

from checks.api import Status
from checks.engine.discovery import discover, find_plugins, select
from checks.engine.runner import RunConfig, Runner
from checks.sources.camera import CameraSpec
from checks.sources.mic import MicSpec
from tests.support.plugins import GOOD_CHECK, distributions, make_distribution


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("acme")]:
        del sys.modules[name]


def test_builtin_checks_are_registered_as_entry_points():
    plugins = {p.name: p for p in find_plugins()}
    assert {"camera.device", "mic.device", "system.power", "system.cpu", "screen.notifications", "screen.apps",
            "screen.display"} <= set(plugins)
    assert all(plugins[i].builtin and plugins[i].origin == "built-in" for i in ("camera.device", "system.cpu"))


def test_a_good_plugin_loads_and_runs(site):
    make_distribution(site, "acme-checks", {"acme.hello": "acme_hello:Hello"}, {"acme_hello": GOOD_CHECK})
    [loaded] = discover(distributions=distributions(site))
    assert loaded.error is None
    assert (loaded.id, loaded.title, loaded.category) == ("acme.hello", "Hello from Acme", "system")
    assert loaded.plugin.origin == "acme-checks 1.0" and loaded.plugin.label == "acme-checks[acme.hello]"
    [result] = Runner([loaded]).run()
    assert result.status is Status.PASS and result.value == 1.5 and result.duration_s >= 0


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("raise ImportError('no module named acme_dep')", "ImportError: no module named acme_dep"),
        ("raise SystemExit(3)", "SystemExit"),
        ("Hello = 42", "it has no 'id'"),
        (GOOD_CHECK.replace('category = "system"', 'category = "kitchen"'), "category 'kitchen'"),
        (GOOD_CHECK.replace('id = "acme.hello"', 'id = "acme.other"'), "differs from its entry-point name"),
        (GOOD_CHECK.replace('title = "Hello from Acme"', 'title = ""'), "title is empty"),
        (GOOD_CHECK.replace('category = "system"', 'category = "system"\n    requires = "camera"'),
         "requires"),
        (GOOD_CHECK.replace('category = "system"', 'category = "system"\n    deadline_s = -1'), "deadline_s"),
        (GOOD_CHECK.replace("class Hello(Check):", "class Hello(Check):\n    def __init__(self, x): pass"),
         "TypeError"),
    ],
)
def test_a_broken_plugin_becomes_an_error_row_naming_it(site, source, reason):
    make_distribution(site, "acme-checks", {"acme.hello": "acme_hello:Hello"}, {"acme_hello": source})
    make_distribution(site, "acme-good", {"acme.good": "acme_good:Hello"},
                      {"acme_good": GOOD_CHECK.replace("acme.hello", "acme.good")})
    loaded = {c.id: c for c in discover(distributions=distributions(site))}
    assert reason in loaded["acme.hello"].error
    results = {r.id: r for r in Runner(list(loaded.values())).run()}
    broken = results["acme.hello"]
    assert broken.status is Status.ERROR and broken.category == "system"
    assert "acme-checks[acme.hello]" in broken.summary and reason in broken.summary
    assert results["acme.good"].status is Status.PASS  # the others are intact


def test_an_entry_point_whose_name_is_not_an_id_is_an_error(site):
    make_distribution(site, "acme-checks", {"Hello World": "acme_hello:Hello"}, {"acme_hello": GOOD_CHECK})
    [loaded] = discover(distributions=distributions(site))
    assert "is not a check id" in loaded.error


def test_a_plugin_that_hangs_while_importing_is_an_error_not_a_hang(site, monkeypatch):
    monkeypatch.setattr("checks.engine.discovery.IMPORT_TIMEOUT_S", 0.5)
    make_distribution(site, "acme-checks", {"acme.slow": "acme_slow:Hello"},
                      {"acme_slow": "import time\ntime.sleep(5)\n" + GOOD_CHECK.replace("acme.hello", "acme.slow")})
    from checks.engine import discovery

    [loaded] = discover(distributions=distributions(site))
    assert "longer than 0.5 s" in loaded.error
    assert discovery.IMPORT_TIMEOUT_S == 0.5


def test_a_second_distribution_cannot_take_an_id_already_taken(site):
    make_distribution(site, "acme-checks", {"acme.hello": "acme_hello:Hello"}, {"acme_hello": GOOD_CHECK})
    make_distribution(site, "zeta-checks", {"acme.hello": "acme_hello:Hello"}, {})
    loaded = discover(distributions=distributions(site))
    assert [c.error for c in loaded if c.plugin.package == "acme-checks"] == [None]
    [dup] = [c for c in loaded if c.plugin.package == "zeta-checks"]
    assert "already taken by acme-checks" in dup.error


def test_the_same_distribution_twice_on_the_path_counts_once(site, tmp_path_factory):
    make_distribution(site, "acme-checks", {"acme.hello": "acme_hello:Hello"}, {"acme_hello": GOOD_CHECK})
    other = tmp_path_factory.mktemp("other")
    make_distribution(other, "acme-checks", {"acme.hello": "acme_hello:Hello"}, {}, version="0.9")
    plugins = find_plugins(distributions(site) + distributions(other))
    assert [(p.name, p.version) for p in plugins] == [("acme.hello", "1.0")]


def test_an_instance_is_accepted_as_well_as_a_class(site):
    source = GOOD_CHECK + "\nhello = Hello()\n"
    make_distribution(site, "acme-checks", {"acme.hello": "acme_hello:hello"}, {"acme_hello": source})
    [loaded] = discover(distributions=distributions(site))
    assert loaded.error is None and loaded.title == "Hello from Acme"


def test_only_selects_by_id_and_glob_before_importing(site):
    make_distribution(site, "acme-checks", {"acme.hello": "acme_hello:Hello", "acme.broken": "acme_broken:X"},
                      {"acme_hello": GOOD_CHECK, "acme_broken": "raise RuntimeError('imported!')"})
    loaded = discover("acme.hello", distributions=distributions(site))
    assert [c.id for c in loaded] == ["acme.hello"] and "acme_broken" not in sys.modules
    plugins = find_plugins(distributions(site))
    assert [p.name for p in select(plugins, "acme.*")] == ["acme.broken", "acme.hello"]
    assert [p.name for p in select(plugins, " acme.hello , acme.b* ")] == ["acme.broken", "acme.hello"]
    with pytest.raises(ValueError, match=r"no check matches 'camera\.nope'"):
        select(plugins, "acme.hello,camera.nope")
    with pytest.raises(ValueError, match="at least one"):
        select(plugins, " , ")


def test_checks_are_ordered_by_category():
    loaded = discover()
    order = ["camera", "mic", "network", "system", "screen"]
    positions = [order.index(c.category) for c in loaded]
    assert positions == sorted(positions)


def test_a_plugin_needing_a_device_runs_on_the_shared_source(site):
    source = '''
        from checks.api import Check, Status

        class Frame(Check):
            id = "acme.frame"
            title = "Frame size"
            category = "camera"
            requires = frozenset({"camera"})

            def run(self, context):
                h, w = context.camera.read().shape[:2]
                return self.result(Status.PASS, f"{w}x{h}", value=w, unit="px")
    '''
    make_distribution(site, "acme-checks", {"acme.frame": "acme_frame:Frame"}, {"acme_frame": source})
    [loaded] = discover(distributions=distributions(site))
    from tests.conftest import DEMO

    config = RunConfig(camera=CameraSpec.parse(str(DEMO / "camera.avi")), mic=MicSpec("none"))
    [result] = Runner([loaded], config).run()
    assert (result.status, result.summary, result.value) == (Status.PASS, "1280x720", 1280)
