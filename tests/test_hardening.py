"""Hostile and careless input: secrets never echoed, no forged output, no silent coercion, I/O
failures reported as such. Classes of input are generated with hypothesis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from langsmith_dataplane.cli import main
from langsmith_dataplane.diagnostics import Diagnostic, TopologyError, clean
from langsmith_dataplane.suggest import Suggester
from langsmith_dataplane.topology import parse_topology
from tests.helpers import REFERENCE, REFERENCE_TEXT, REPO, edit, errors_of, line_of

CLI = [sys.executable, "-m", "langsmith_dataplane.cli"]

# -- secrets -----------------------------------------------------------------------------------

keys = st.builds(
    lambda kind, body: f"lsv2_{kind}_{body}",
    st.sampled_from(["pt", "sk"]),
    st.text("0123456789abcdef", min_size=24, max_size=40),
)
# Places a key can land: every one feeds some other rule's message (not a UUID, unknown
# reference, bad name, did-you-mean on an unknown key, ...).
PLACES = [
    ("id: 6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01", "id: {key}"),
    ("apiKey: workspaceA.apiKey", "apiKey: {key}"),
    ("namespaces: [team-b]", "namespaces: [{key}]"),
    ("region: us\n", "region: {key}\n"),
    ("ports: [443]", "ports: [{key}]"),
    ("    workspace: B\n    cluster: dev", "    workspace: {key}\n    cluster: dev"),
    ("    cluster: dev\n    namespaces: [team-b]", "    cluster: {key}\n    namespaces: [team-b]"),
    ("  b-dev:\n", "  {key}:\n"),
    ("    ingress: gateway   ", "    {key}: gateway   "),
    ("version: 1\n", "version: {key}\n"),
]


def output_of(text: str, style: str = "text") -> str:
    with pytest.raises(TopologyError) as info:
        parse_topology(text)
    return info.value.render(style) + str(info.value)


@settings(max_examples=60, deadline=None)
@given(key=keys, place=st.sampled_from(PLACES))
def test_a_key_anywhere_is_reported_and_never_echoed(key, place):
    old, new = place
    text = edit(REFERENCE_TEXT, old, new.format(key=key))
    for style in ("text", "github"):
        out = output_of(text, style)
        assert key not in out
        assert key[5:] not in out  # not even without its prefix
    assert "secret-value" in output_of(text)


@settings(max_examples=30, deadline=None)
@given(key=keys, escape=st.sampled_from(["\\x6c", "\\u006c", "\\U0000006c"]))
def test_a_key_hidden_by_yaml_escapes_is_found_in_the_parsed_value(key, escape):
    hidden = '"' + escape + key[1:] + '"'
    text = edit(REFERENCE_TEXT, "apiKey: workspaceB.apiKey", f"apiKey: {hidden}")
    errors = errors_of(text)
    secret = [e for e in errors if e.rule == "secret-value"]
    assert [(e.line, e.col) for e in secret] == [(line_of(text, hidden), 13)]
    assert key not in output_of(text)


# -- output injection ----------------------------------------------------------------------------

hostile = st.lists(
    st.sampled_from(["\n", "\r", "\x1b", "\x07", "\u2028", ":", ",", "%", "a", "é", "::error "]),
    min_size=1,
    max_size=12,
).map("".join)


@settings(max_examples=80, deadline=None)
@given(name=hostile)
def test_hostile_names_cannot_forge_lines_or_annotations(name):
    quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    quoted = quoted.replace("\r", "\\r").replace("\x1b", "\\e").replace("\x07", "\\a")
    quoted = quoted.replace("\u2028", "\\L")
    # As a namespace it always fails the name rule, so the name is quoted back in a message.
    text = edit(REFERENCE_TEXT, "namespaces: [team-b]", f"namespaces: [{quoted}-!]")
    with pytest.raises(TopologyError) as info:
        parse_topology(text, filename=f"t{name}.yaml")
    for style in ("text", "github"):
        rendered = info.value.render(style)
        for line in rendered.split("\n"):
            assert not any(c in line for c in "\r\x1b\x07\u2028")
        if style == "github":
            for line in rendered.split("\n"):
                assert line.startswith("::error file=t") or line.startswith("::warning file=t")
                props, _, _ = line[2:].partition("::")
                assert props.count("::") == 0
                assert props.count(",") == 2  # file=, line=, col=: nothing forged in between


def test_clean_escapes_controls_and_cuts_long_values():
    assert clean("a\nb\x1b[31mc") == "a\\nb\\x1b[31mc"
    long = clean("x" * 5000)
    assert len(long) < 200
    assert "5,000 characters" in long


def test_one_huge_value_aliased_many_times_prints_little(capsys, tmp_path):
    big = "v" * 1_000_000
    items = ", ".join(["*big"] * 300)
    text = (
        REFERENCE_TEXT.replace("egress:\n", f"x-big: &big {big}\negress:\n")
        + f"\nx-uses: [{items}]\n"
    )
    path = tmp_path / "big.yaml"
    path.write_text(text)
    code = main(["validate", str(path)])
    out = capsys.readouterr()
    assert code == 1
    assert len(out.out) + len(out.err) < 20_000


# -- values YAML 1.1 would coerce -------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "kind"),
    [
        ("7:23", "an integer"),
        ("0x1bb", "an integer"),
        ("0b101", "an integer"),
        ("0673", "an integer"),
        ("4_43", "an integer"),
        ("+443", "an integer"),
        ("yes", "a boolean"),
        ("On", "a boolean"),
        ("TRUE", "a boolean"),
        (".inf", "a number"),
        ("-.inf", "a number"),
    ],
)
def test_surprising_yaml_scalars_are_errors_with_the_quoting_fix(spelling, kind):
    text = edit(REFERENCE_TEXT, "ports: [443]", f"ports: [{spelling}]")
    [error] = errors_of(text)
    assert error.rule == "yaml"
    assert error.message.startswith(f"YAML 1.1 reads '{spelling}' as {kind}: quote it")
    assert error.line == line_of(text, "ports:")


@pytest.mark.parametrize("version", ["true", "1.0"])
def test_version_is_the_integer_one(version):
    text = edit(REFERENCE_TEXT, "version: 1\n", f"version: {version}\n")
    [error] = errors_of(text)
    assert error.message.startswith("version must be 1, got the ")
    assert (error.line, error.col) == (line_of(text, "version:"), 10)


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        ("cidrs: [203.0.113.0/24]", 'cidrs: ["fe80::1%eth0/128"]', "cidr"),
        ("cidrs: [203.0.113.0/24]", "cidrs: [203.0.113.7]", "cidr"),
        ('version: "1.33"', 'version: "banana"', "eks-version"),
        ("  dev: {clusters: [dev]}", "  ../dev: {clusters: [dev]}", "stack-name"),
        ("  dev: {clusters: [dev]}", "  a/b: {clusters: [dev]}", "stack-name"),
        (
            "    ingress: gateway   ",
            "    hostname: 'bad host!'\n    ingress: gateway   ",
            "exposure",
        ),
    ],
)
def test_values_that_become_names_urls_or_paths_are_validated(old, new, rule):
    errors = errors_of(edit(REFERENCE_TEXT, old, new))
    assert rule in {e.rule for e in errors}


# -- robustness ------------------------------------------------------------------------------


def test_suggestions_come_from_the_index():
    names = [f"cluster-{i:04d}" for i in range(2000)]
    suggester = Suggester(names)
    assert suggester.suggest("cluster-1234x") == "cluster-1234"
    assert suggester.hint("zzz").endswith("... (2000 in all))")


def test_at_most_100_diagnostics():
    diagnostics = [Diagnostic("f", i, 1, f"problem {i}") for i in range(1, 500)]
    rendered = TopologyError(diagnostics).diagnostics
    assert len(rendered) == 100
    assert rendered[-1].message == "... and 400 more problems"


def test_cr_only_line_ends_report_the_right_lines():
    text = REFERENCE_TEXT.replace("region: us\n", "region: mars\n").replace("\n", "\r")
    [error] = errors_of(text)
    assert error.line == line_of(REFERENCE_TEXT, "region: us")


def test_an_overlong_key_is_explained():
    [error] = errors_of(REFERENCE_TEXT + "k" * 1025 + ": 1\n")
    assert error.message.startswith("a key longer than 1024 characters")


def run_cli(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, check=False, cwd=REPO, **kw
    )


def test_a_git_ref_never_becomes_an_option(tmp_path):
    target = tmp_path / "written-by-git"
    done = run_cli("diff", f"--git=--output={target}", str(REFERENCE))
    assert done.returncode == 2
    assert "is not a git ref" in done.stderr
    assert not target.exists()


def test_diff_git_on_a_missing_path_says_so(tmp_path):
    done = run_cli("diff", "--git", "HEAD", str(tmp_path / "nope" / "topology.yaml"))
    assert done.returncode == 2
    assert "no such" in done.stderr
    assert "git command" not in done.stderr


@pytest.mark.parametrize("out", ["/proc/dataplane-render", "/dev/null/x"])
def test_unwritable_render_targets_are_usage_errors(out):
    done = run_cli("render", str(REFERENCE), "--stack", "dev", "--out", out)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines()[-1].startswith("dataplane: error:")
    assert not [line for line in done.stderr.splitlines()[:-1] if "warning" not in line]
    assert "internal error" not in done.stderr


def test_a_full_disk_is_a_usage_error():
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*CLI, "validate", str(REFERENCE)], stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert done.returncode == 2
    assert "No space left on device" in done.stderr


def test_a_closed_pipe_exits_quietly():
    done = subprocess.run(
        f"{sys.executable} -m langsmith_dataplane.cli plan {REFERENCE} | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert done.stdout == "Plan of /w"[: len(done.stdout)] or done.stdout.startswith("Plan")
    # Only the reference's own warnings (unused Postgres), no broken-pipe noise.
    assert [line for line in done.stderr.splitlines() if "[unused-postgres]" not in line] == []


def test_a_terminal_that_cannot_show_a_character_is_a_usage_error(tmp_path):
    path = tmp_path / "tōpology.yaml"
    path.write_text(REFERENCE_TEXT)
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    done = run_cli("validate", str(path), env=env)
    assert done.returncode == 2
    assert "set PYTHONIOENCODING=utf-8" in done.stderr


def test_ctrl_c_during_plan_stops_with_130_and_one_line():
    process = subprocess.Popen(
        [*CLI, "plan", str(REFERENCE)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert process.stderr is not None
    # The reference's warnings are printed once it is validated, just before the Pulumi mocks
    # start: the handler is installed by then, whatever the machine's load.
    first = process.stderr.readline()
    assert "[unused-postgres]" in first
    time.sleep(0.5)  # inside the Pulumi mocks by now
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert [line for line in err.splitlines() if "[unused-postgres]" not in line] == [
        "dataplane: interrupted"
    ]


# -- render ------------------------------------------------------------------------------------


def test_render_never_writes_through_a_symlink(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim"
    (out / "namespace_team-a.yaml").symlink_to(victim)
    done = run_cli("render", str(REFERENCE), "--stack", "dev", "--out", str(out))
    assert done.returncode == 2
    assert "symlink" in done.stderr
    assert not victim.exists()


def test_render_removes_only_its_own_stale_files(tmp_path):
    out = tmp_path / "out"
    first = run_cli("render", str(REFERENCE), "--stack", "dev", "--out", str(out))
    assert first.returncode == 0, first.stderr
    mine = out / "keep-me.txt"
    mine.write_text("not render's")
    second = run_cli("render", str(REFERENCE), "--stack", "single", "--out", str(out))
    assert second.returncode == 0, second.stderr
    removed = [line for line in second.stdout.splitlines() if line.startswith("removed stale")]
    assert "removed stale namespace_team-a.yaml (written by an earlier render)" in removed
    assert not (out / "namespace_team-a.yaml").exists()
    assert (out / "namespace_workspace-a.yaml").exists()
    assert mine.read_text() == "not render's"


def test_examples_include_the_broken_file_the_readme_shows():
    broken = Path(REPO / "examples" / "broken" / "broken.yaml")
    done = run_cli("validate", str(broken.relative_to(REPO)))
    assert done.returncode == 1
    assert "unknown cluster 'singel' (did you mean 'single'?) [unknown-reference]" in done.stdout
    assert "[shared-namespace]" in done.stdout
