"""Tree files under bad luck and bad intent: a disk that fills up while saving, files that are
endless, deeply nested, ambiguous or not text at all. Each is refused with the path at fault
(or survives unchanged), and the file on disk is never half written."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kpitree_widget as kt
from kpitree_widget import KPITree, KPITreeError
from kpitree_widget import io as tree_io

SRC = Path(kt.__file__).resolve().parents[1]


def run_python(code: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter that imports this checkout of the package."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=timeout, env={"PYTHONPATH": str(SRC)})


def big_tree(revenue_tree: KPITree) -> KPITree:
    revenue_tree.description = "A tree with a long story. " * 300  # about 8 kB on disk
    return revenue_tree


# --------------------------------------------------------------------------- saving


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_save_that_fails_half_way_leaves_the_previous_file_intact(revenue_tree, tmp_path,
                                                                    suffix):
    path = tmp_path / f"tree{suffix}"
    big_tree(revenue_tree).save(path)
    before = path.read_bytes()
    assert len(before) > 4000
    # the disk "fills up" after 1,000 bytes while the user saves an edited tree
    result = run_python(f"""
        import resource, signal, sys
        import kpitree_widget as kt
        tree = kt.load({str(path)!r})
        tree.set_value("arpc", 999)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
        try:
            tree.save({str(path)!r})
        except kt.KPITreeError as exc:
            print(exc)
            sys.exit(0)
        sys.exit(3)
    """)
    assert result.returncode == 0, result.stderr
    assert "cannot write the file" in result.stdout
    assert "previous file is unchanged" in result.stdout
    assert path.read_bytes() == before  # byte for byte
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind
    assert kt.load(path).get_value("arpc") == revenue_tree.get_value("arpc")


def test_a_tree_that_cannot_be_encoded_leaves_the_previous_file_intact(revenue_tree, tmp_path):
    path = tmp_path / "tree.yaml"
    revenue_tree.save(path)
    before = path.read_bytes()
    revenue_tree.description = "broken \ud800 text"  # set in Python, not through a file
    for target in (path, path.with_suffix(".json")):
        with pytest.raises(KPITreeError, match=r"description: not valid Unicode text .*; "
                                               "nothing was written"):
            revenue_tree.save(target)
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]


def test_saving_keeps_the_file_mode_and_writes_through_a_symlink(revenue_tree, tmp_path):
    real = tmp_path / "real.yaml"
    revenue_tree.save(real)
    real.chmod(0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    revenue_tree.set_value("arpc", 321)
    revenue_tree.save(link)
    assert link.is_symlink()
    assert real.stat().st_mode & 0o777 == 0o640
    assert kt.load(real).get_value("arpc") == 321


# --------------------------------------------------------------------------- reading


def test_a_symlink_to_an_endless_file_is_refused_after_reading_at_most_the_limit(tmp_path):
    link = tmp_path / "tree.yaml"
    link.symlink_to("/dev/zero")
    # in a separate interpreter with bounded memory: a reader without a limit cannot hurt
    result = run_python(f"""
        import resource, sys, time
        resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))
        import kpitree_widget as kt
        start = time.perf_counter()
        try:
            kt.load({str(link)!r})
        except kt.KPITreeError as exc:
            print(exc)
            print(f"{{time.perf_counter() - start:.3f}}")
            sys.exit(0)
        sys.exit(3)
    """, timeout=60)
    assert result.returncode == 0, result.stderr[-500:]
    message, seconds = result.stdout.strip().splitlines()
    assert "larger than the limit of 20,000,000 bytes" in message
    assert float(seconds) < 5  # reading 20 MB of zeros takes a few hundredths of a second


def test_yaml_is_parsed_by_libyaml_when_it_is_installed():
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML was built without libyaml")
    assert issubclass(tree_io._loader_class(), yaml.CSafeLoader)


FRAGMENTS = ["[", "]", "{", "}", "- ", "  ", "\n", "a: ", "1, ", "'x", '"\\u00e9', "&a ", "*a",
             "!!binary ", "? ", "017, ", "3:1, ", "1_000, ", "# c\n", ":", ",", "x" * 50]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6))
def test_adversarial_yaml_is_read_or_refused_in_time_linear_in_its_size(parts):
    chunk = "".join(parts)
    text = "metrics:\n  a: {}\nconfig:\n  x: " + chunk * (200_000 // len(chunk))
    # the baseline, measured in the same run: libyaml's own safe loader on the same text
    start = time.perf_counter()
    with contextlib.suppress(yaml.YAMLError, RecursionError):
        yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    baseline = time.perf_counter() - start
    start = time.perf_counter()
    with contextlib.suppress(KPITreeError):
        kt.loads(text)
    took = time.perf_counter() - start
    assert took < 4 * baseline + 0.25, (took, baseline)


# --------------------------------------------------------------------------- nesting


@pytest.mark.parametrize(("fmt", "text"), [
    ("yaml", "metrics:\n  a: {}\nconfig:\n  x: " + "[" * 400 + "]" * 400 + "\n"),
    ("yaml", "metrics:\n  a: {}\nconfig:\n  x:\n" + "".join(
        "  " * (depth + 2) + "-\n" for depth in range(400))),
    ("json", '{"metrics": {"a": {}}, "config": {"x": ' + "[" * 500 + "]" * 500 + "}}"),
])
def test_deeply_nested_files_are_refused_with_the_path(tmp_path, fmt, text):
    path = tmp_path / f"deep.{fmt}"
    path.write_text(text)
    with pytest.raises(KPITreeError, match=r"deep\.\w+: .*config\.x\.0\.0\.0.*: nested more "
                                           r"than 50 levels deep"):
        kt.load(path)


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_nesting_a_million_deep_is_refused_without_a_crash(fmt):
    with pytest.raises(KPITreeError, match="nest"):
        kt.loads("[" * 1_000_000, fmt=fmt)


def test_a_mapping_that_contains_itself_is_refused():
    config: dict[str, object] = {}
    config["self"] = config
    with pytest.raises(KPITreeError, match=r"config\.self\.self.*nested more than 50"):
        KPITree.from_dict({"metrics": {"a": {}}, "config": config})


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(("written", "number"), [
    ("0x1F", 31), ("0o17", 15), (".5", 0.5), ("+1", 1), ("-.5", -0.5), ("1e3", 1000),
    ("1.5e+2", 150), ("0", 0), ("-0.25", -0.25), ("12.", 12),
])
def test_numbers_are_read_as_yaml_1_2_and_json_read_them(written, number):
    tree = kt.loads(f"metrics:\n  a:\n    target: {written}\n")
    assert tree.get_target("a") == number


@pytest.mark.parametrize("written", ["3:1", "017", "-017", "08", "1_000", "1_000.5", "0b101",
                                     "190:20:30.15", "!!int 3:1", "!!float 1_0"])
def test_numbers_yaml_1_1_reads_differently_are_refused_with_the_path(written):
    with pytest.raises(KPITreeError, match=r"metrics\.a\.target: .* YAML 1\.1 and YAML 1\.2 "
                                           r"read differently"):
        kt.loads(f"metrics:\n  a:\n    target: {written}\n")


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_text_that_looks_like_a_number_stays_text(tmp_path, suffix):
    looks = ["017", "1e3", "3:1", "0o17", "1_000", ".5", "0x1F", "+1", "08", "1.2.3"]
    metrics = {f"m{i}": {"owner": text, "tags": [text]} for i, text in enumerate(looks)}
    tree = KPITree.from_dict({"metrics": {"total": {"formula": " + ".join(metrics)}, **metrics}})
    path = tmp_path / f"t{suffix}"
    tree.save(path)
    again = kt.load(path)
    assert [again.metrics[f"m{i}"].owner for i in range(len(looks))] == looks
    assert again.to_dict() == tree.to_dict()


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize(("fmt", "text", "where"), [
    ("json", '{"metrics": {"a": {"name": "x\\ud800"}}}', r"metrics\.a\.name"),
    ("json", '{"metrics": {"a": {"tags": ["ok", "\\udfff"]}}}', r"metrics\.a\.tags\.1"),
    ("json", '{"metrics": {"a": {}}, "okrs": [{"metric": "a", "objective": "\\ud83d"}]}',
     r"okrs\.0\.objective"),
    ("json", '{"metrics": {"a": {}}, "config": {"\\ud800": 1}}', r"config\.'\\ud800'"),
    ("yaml", "metrics:\n  a:\n    name: \"x\\ud800\"\n", r"line 3"),  # libyaml refuses it
])
def test_lone_surrogates_are_refused_at_the_door_with_the_path(fmt, text, where):
    with pytest.raises(KPITreeError, match=where):
        kt.loads(text, fmt=fmt)


def test_lone_surrogates_are_refused_by_from_dict_too():
    with pytest.raises(KPITreeError, match=r"metrics\.a\.owner: not valid Unicode text \(a lone "
                                           r"surrogate U\+D800 at position 3\)"):
        KPITree.from_dict({"metrics": {"a": {"owner": "Ana\ud800"}}})


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029", "\r", "\r\n", "\n", "\x0b",
                                  "\x0c", "\x1c", "\x1d", "\x1e", "\t"])
def test_line_breaking_characters_survive_save_and_load(tmp_path, suffix, char):
    text = f"a{char}b"
    tree = KPITree.from_dict({"description": text, "metrics": {
        "a": {"description": text, "name": f"{text} c {char}"}}})
    path = tmp_path / f"t{suffix}"
    tree.save(path)
    again = kt.load(path)
    assert again.description == text
    assert again.metrics["a"].description == text
    assert again.metrics["a"].name == f"{text} c {char}"


# --------------------------------------------------------------------------- types


@pytest.mark.parametrize(("fmt", "text", "message"), [
    ("json", '{"metrics": {"a": {}}, "okrs": [{"metric": "a", "to": NaN}]}',
     r"okrs\.0\.to: expected a finite number, got nan"),
    ("json", '{"metrics": {"a": {}}, "config": {"tolerance": Infinity}}',
     r"config\.tolerance: expected a finite number, got inf"),
    ("yaml", "metrics:\n  a: {}\nconfig:\n  deep: {x: [1, .nan]}\n",
     r"config\.deep\.x\.1: expected a finite number, got nan"),
    ("yaml", "metrics:\n  a: {}\nokrs:\n  - metric: a\n    from: -.inf\n",
     r"okrs\.0\.from: expected a finite number, got -inf"),
    ("yaml", "metrics:\n  a: {}\nconfig:\n  logo: !!binary aGVsbG8=\n",
     r"config\.logo: YAML !!binary values are not supported"),
    ("yaml", "metrics:\n  a: {}\nconfig:\n  teams: !!set {a, b}\n",
     r"config\.teams: YAML !!set values are not supported"),
    ("yaml", "metrics:\n  a:\n    tags: !!set {a, b}\n", r"metrics\.a\.tags: YAML !!set"),
    ("yaml", "metrics:\n  a: {}\nconfig:\n  order: !!omap [{a: 1}]\n", r"config\.order: YAML "
                                                                      r"!!omap"),
])
def test_values_the_file_format_does_not_hold_are_refused_with_the_path(fmt, text, message):
    with pytest.raises(KPITreeError, match=message):
        kt.loads(text, fmt=fmt)


def test_a_refused_config_from_python_names_the_path():
    for bad, shown in ((float("nan"), "nan"), (b"bytes", "bytes"), ({1, 2}, "set"),
                       (1j, "complex")):
        with pytest.raises(KPITreeError, match=rf"config\.x: .*{shown}"):
            KPITree.from_dict({"metrics": {"a": {}}, "config": {"x": bad}})


# --------------------------------------------------------------------------- versions and dates


def test_an_unknown_schema_version_is_refused_with_a_clear_message():
    with pytest.raises(KPITreeError, match=r"schema: this file is schema version 99; this "
                                           r"version of kpitree-widget reads schema 1"):
        kt.loads("schema: 99\nmetrics:\n  a: {}\n")
    assert kt.loads("schema: 1\nmetrics:\n  a: {}\n").root == "a"
    assert kt.loads(json.dumps({"metrics": {"a": {}}}), fmt="json").root == "a"


@pytest.mark.parametrize("due", ["not-a-date", "'2026-13-45'", "soon"])
def test_an_okr_due_that_is_not_a_date_is_refused_with_the_path(due):
    with pytest.raises(KPITreeError, match=r"okrs\.1\.due: expected a date or period"):
        kt.loads("metrics:\n  a: {}\nokrs:\n  - {metric: a, due: 2026-06-30}\n"
                 f"  - {{metric: a, due: {due}}}\n")


@pytest.mark.parametrize("due", ["2026-06-30", "2026Q2", "2026-06"])
def test_an_okr_due_date_or_period_is_kept(due):
    tree = kt.loads(f"metrics:\n  a: {{value: 1}}\nokrs:\n  - {{metric: a, to: 2, due: {due}}}\n")
    assert tree.okrs[0]["due"] == due


def test_a_huge_file_is_refused_without_being_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as f:  # a sparse 30 GB file: reading it would take minutes
        f.truncate(30_000_000_000)
    reads: list[int] = []
    real_open = Path.open

    def counting_open(self: Path, *args: object, **kwargs: object) -> object:
        handle = real_open(self, *args, **kwargs)  # type: ignore[call-overload]
        real_read = handle.read

        def read(n: int = -1) -> bytes:
            reads.append(n)
            return real_read(n)

        handle.read = read
        return handle

    monkeypatch.setattr(Path, "open", counting_open)
    with pytest.raises(KPITreeError, match="larger than the limit of 20,000,000 bytes"):
        kt.load(path)
    assert reads == []


def test_the_checks_hold_without_libyaml(monkeypatch):
    monkeypatch.setattr(tree_io, "_LOADER", None)
    monkeypatch.delattr(yaml, "CSafeLoader")
    assert not issubclass(tree_io._loader_class(), getattr(yaml, "CParser", ()))
    for text, message in (("metrics:\n  a: {}\nconfig:\n  x: " + "[" * 400, "nested more"),
                          ("metrics:\n  a: &x {}\n  b: *x\n", "aliases"),
                          ("metrics:\n  a: {target: 3:1}\n", "YAML 1.1 and YAML 1.2"),
                          ('metrics:\n  a: {name: "x\\ud800"}\n', r"metrics\.a\.name: not valid "
                                                                   "Unicode"),
                          ("metrics:\n  a: {}\n  a: {}\n", "duplicate key 'a'")):
        with pytest.raises(KPITreeError, match=message):
            kt.loads(text)
    monkeypatch.setattr(tree_io, "_LOADER", None)
