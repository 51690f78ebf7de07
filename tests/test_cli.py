"""`dataplane validate` and `dataplane schema`: output formats and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from langsmith_dataplane.cli import main
from langsmith_dataplane.topology.json_schema import topology_json_schema
from tests.helpers import EXAMPLES, REFERENCE, REFERENCE_TEXT, REPO, edit, line_of


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_reference_prints_a_one_line_summary(capsys):
    code, out, _ = run(capsys, "validate", str(REFERENCE))
    assert code == 0
    *warnings, summary = out.splitlines()
    assert (
        summary
        == f"{REFERENCE}: ok: 2 workspaces, 4 clusters, 6 listeners, 2 deployments, 4 stacks"
    )
    assert all("[unused-postgres]" in line for line in warnings)


def test_validate_errors_print_path_line_col(capsys, tmp_path):
    bad = tmp_path / "topology.yaml"
    text = edit(REFERENCE_TEXT, "namespaces: [team-b]", "namespaces: [team-a]")
    text = edit(text, "minSize: 2, maxSize: 6}", "minSize: 9, maxSize: 6}")
    bad.write_text(text)
    code, out, err = run(capsys, "validate", str(bad))
    assert code == 1
    lines = [line for line in out.splitlines() if ": error: " in line]
    assert lines == [
        f"{bad}:{line_of(text, 'minSize: 9')}:55: error: minSize 9 is greater than maxSize 6 "
        "[node-group-size]",
        f"{bad}:{line_of(text, '[team-a]', 2)}:18: error: namespace 'team-a' of cluster 'dev' "
        "is already watched by listener 'a-dev'; listeners cannot share a namespace "
        "[shared-namespace]",
    ]
    assert "2 errors" in err


def test_validate_github_annotations(capsys, tmp_path):
    bad = tmp_path / "t.yaml"
    bad.write_text(edit(REFERENCE_TEXT, "region: us\n", "region: mars\n"))
    code, out, _ = run(capsys, "validate", "--format", "github", str(bad))
    assert code == 1
    line = line_of(REFERENCE_TEXT, "region: us")
    assert out.startswith(f"::error file={bad},line={line},col=11::controlPlane.region must be one")


def test_warnings_do_not_fail_and_come_before_the_summary(capsys, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(edit(REFERENCE_TEXT, "  single: {clusters: [single]}\n", ""))
    code, out, _ = run(capsys, "validate", "--format", "github", str(path))
    assert code == 0
    *warnings, summary = out.splitlines()
    [first] = [w for w in warnings if "belongs to no stack" in w]
    assert first.startswith(f"::warning file={path},line=")
    assert summary.endswith("3 stacks")


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["validate"], "the following arguments are required: PATH"),
        (["validate", "x.yaml", "--format", "xml"], "invalid choice: 'xml'"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_usage_errors_exit_2(capsys, argv, fragment):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert fragment in capsys.readouterr().err


def test_missing_file_and_directory_are_usage_errors(capsys, tmp_path):
    code, _, err = run(capsys, "validate", str(tmp_path / "nope.yaml"))
    assert (code, err.strip()) == (
        2,
        f"dataplane: error: cannot read {tmp_path / 'nope.yaml'}: no such file",
    )
    code, _, err = run(capsys, "validate", str(tmp_path))
    assert code == 2
    assert "is a directory" in err


def test_binary_file_is_an_error_not_a_traceback(capsys, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_bytes(b"version: 1\n\x00\xff\xfe")
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 1
    assert out.startswith(f"{path}:2:")


def test_internal_errors_are_one_line(capsys, monkeypatch, tmp_path):
    import langsmith_dataplane.cli as cli

    def boom(path):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(cli, "load_topology", boom)
    code, _, err = run(capsys, "validate", str(REFERENCE))
    assert code == 70
    assert err.strip().startswith("dataplane: internal error: RuntimeError: kaboom")
    assert "Traceback" not in err


def test_schema_command_prints_the_json_schema(capsys):
    code, out, _ = run(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["title"] == "LangSmith data plane topology"
    assert schema["additionalProperties"] is False
    assert "controlPlane" in schema["required"]


def test_committed_schema_is_in_sync():
    committed = json.loads((REPO / "topology.schema.json").read_text())
    assert committed == topology_json_schema(), "run `make schema` and commit topology.schema.json"


@pytest.mark.parametrize("path", [REPO / "topology.yaml", *EXAMPLES], ids=lambda p: p.name)
def test_topology_files_reference_the_schema(path):
    first = path.read_text().splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    target = (path.parent / first.split("$schema=")[1]).resolve()
    assert target == (REPO / "topology.schema.json").resolve()


def test_console_script_end_to_end(tmp_path):
    # `make setup` installs the console script beside the interpreter running the tests.
    exe = str(Path(sys.executable).parent / "dataplane")
    ok = subprocess.run(
        [exe, "validate", str(REFERENCE)], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nworkspaces: [\n")
    failed = subprocess.run(
        [exe, "validate", str(bad)], capture_output=True, text=True, check=False
    )
    assert failed.returncode == 1
    assert "Traceback" not in failed.stdout + failed.stderr
    assert failed.stdout.startswith(f"{bad}:3:1: error:")
    usage = subprocess.run([exe, "validate"], capture_output=True, text=True, check=False)
    assert usage.returncode == 2


def test_module_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "langsmith_dataplane.cli", "validate", str(REFERENCE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
