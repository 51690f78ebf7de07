"""Diffs as text and as a markdown PR comment (summary first, details folded, bounded size)."""

from __future__ import annotations

from langsmith_dataplane.review.changes import KINDS, Change, StackDiff, TopologyDiff
from langsmith_dataplane.review.escape import markdown, terminal
from langsmith_dataplane.review.masking import UNKNOWN

MARKDOWN_LIMIT = 60_000
SYMBOLS = {
    "added": "+",
    "removed": "-",
    "changed": "~",
    "replaced": "+-",
    "rotated": "+-",
    "renamed": ">",
}
COUNTED = ("added", "changed", "replaced", "rotated", "removed", "renamed")
assert set(COUNTED) == set(KINDS)


# What a change of these inputs sets off beyond the resource itself.
_NEW_REVISION = {
    "langsmith/Deployment": ("image", "env", "secret_references", "resource_spec"),
    "langsmith/CloudDeploymentRecord": ("repo_ref", "config_path", "env", "secret_env"),
}
_POD_TEMPLATE = ("secrets-checksum", "image", "env", "resources", "podAnnotations", "tag")


def consequence(change: Change) -> str:
    """` [release upgraded; pods roll]`, ` [a new revision]`, or nothing; and whether the
    preview can know the new value (`diff.diff_as_previewed`)."""
    if change.kind != "changed":
        return ""
    if any(new == UNKNOWN for _, _, new in change.values):
        return (
            " [reads an output not known until `up`: the preview shows an update that may "
            "change nothing]"
        )
    if change.type == "kubernetes:helm.sh/v3:Release":
        rolls = any(word in path for path in change.paths for word in _POD_TEMPLATE)
        return " [release upgraded; pods roll]" if rolls else " [release upgraded]"
    revision = _NEW_REVISION.get(change.type, ())
    if any(path.split(".")[0] in revision for path in change.paths):
        return " [a new revision]"
    return ""


def _line(change: Change) -> str:
    return terminal(_described(change) + consequence(change), limit=None)


def _described(change: Change) -> str:
    text = f"{SYMBOLS[change.kind]} {change.type}  {change.name}"
    if change.kind == "renamed":
        return f"{text} (was {change.old_name})"
    if change.kind == "removed" and change.reason:
        return f"{text}: {change.reason}"
    if change.values:
        shown = ", ".join(f"{path} ({old} -> {new})" for path, old, new in change.values)
        text = f"{text}: {shown}"
    elif change.paths:
        text = f"{text}: {', '.join(change.paths)}"
    if change.kind in ("replaced", "rotated"):
        return f"{text}; {change.reason}" if change.paths else f"{text}: {change.reason}"
    return text


def _rename_summary(d: StackDiff) -> list[str]:
    """A renamed listener's resources read best as one line: `b-dev -> team-b-dev (31)`, with
    what of it is replaced or rotated all the same (its key names its owner)."""
    changes = d.of("renamed")
    listeners = [c for c in changes if c.type == "langsmith:index:Listener"]
    counts = dict.fromkeys(((c.old_name, c.name) for c in listeners), 0)
    rest = []
    for change in changes:
        owner = next((key for key in counts if key[1] in change.name), None)
        if owner is None:
            rest.append(_line(change))
        else:
            counts[owner] += 1
    lines = []
    for (old, new), count in sorted(counts.items()):
        redone = [
            c
            for c in d.changes
            if (c.kind in ("replaced", "rotated") and new in c.name)
            or (c.kind == "removed" and c.reason and new in c.reason)
        ]
        tail = (
            "; made anew all the same: " + ", ".join(f"{c.type} {c.name}" for c in redone)
            if redone
            else ", nothing replaced"
        )
        lines.append(
            f"> listener {old} renamed to {new} through aliases: {count} resources kept{tail}"
        )
    return [terminal(line, limit=None) for line in lines] + rest


def _lines(d: StackDiff) -> list[str]:
    kinds = ("removed", "replaced", "rotated", "changed", "added")
    lines = [_line(c) for kind in kinds for c in d.of(kind)]
    cautions = [terminal(f"! caution: {text}", limit=None) for text in d.cautions]
    return cautions + lines + _rename_summary(d)


def _counts(d: StackDiff) -> str:
    parts = [f"{len(d.of(k))} {k}" for k in COUNTED]
    return ", ".join(p for p in parts if not p.startswith("0 "))


def diff_text(diff: TopologyDiff) -> str:
    notes = [terminal(f"note: {note}", limit=None) for note in diff.notes]
    if not diff.affected_stacks:
        return "\n".join([*notes, "no changes"]) + "\n"
    out = [
        *notes,
        f"{len(diff.affected_stacks)} stack(s) affected: {', '.join(diff.affected_stacks)}",
    ]
    losses = diff.stateful_losses
    if losses:
        out.append("")
        out.append(f"STATEFUL LOSS ({len(losses)}): data would be deleted or replaced")
        out.extend(terminal(f"  ! {stack}: {what}", limit=None) for stack, what in losses)
    for name in diff.affected_stacks:
        d = diff.stacks[name]
        out += ["", f"stack {name} ({d.status}): {_counts(d)}"]
        out.extend(f"  {line}" for line in _lines(d))
    return "\n".join(out) + "\n"


def diff_markdown(diff: TopologyDiff, base: str, head: str) -> str:
    title = f"## Topology diff: {markdown(base)} → {markdown(head)}"
    notes = "".join(f"_{markdown(note)}_\n\n" for note in diff.notes)
    if not diff.affected_stacks:
        return f"{title}\n\n{notes}No changes: no stack is affected.\n"
    out = [title, "", *([notes.rstrip()] if notes else [])]
    losses = diff.stateful_losses
    if losses:
        out.append(
            f"> [!CAUTION]\n> **Stateful loss** in {len(losses)} place(s): "
            "data would be deleted or replaced."
        )
        out.extend(f"> - `{stack}`: {markdown(what)}" for stack, what in losses)
        out.append("")
    out += [
        "| stack | status | " + " | ".join(COUNTED) + " |",
        "| --- | --- |" + " ---: |" * len(COUNTED),
    ]
    cautions = [(name, c) for name in diff.affected_stacks for c in diff.stacks[name].cautions]
    if cautions:
        out[-2:-2] = [
            "> [!WARNING]\n> **Deletion armed** in " + f"{len(cautions)} place(s):",
            *(f"> - `{stack}`: {markdown(text)}" for stack, text in cautions),
            "",
        ]
    for name in diff.affected_stacks:
        d = diff.stacks[name]
        counts = " | ".join(str(len(d.of(k))) for k in COUNTED)
        out.append(f"| `{name}` | {d.status} | {counts} |")
    out.append("")
    footer = "\n_Deploy affected stacks with `pulumi up -s <stack>`._\n"
    body = "\n".join(out)
    for name in diff.affected_stacks:
        d = diff.stacks[name]
        lines = _lines(d)
        section = (
            f"\n<details><summary>stack <code>{name}</code>: {_counts(d)}</summary>\n\n```diff\n"
            + "\n".join(lines)
            + "\n```\n</details>\n"
        )
        if len(body) + len(section) + len(footer) > MARKDOWN_LIMIT - 200:
            body += (
                "\n_Details of further stacks omitted to keep this comment under "
                f"{MARKDOWN_LIMIT:,} characters; run `dataplane diff` locally._\n"
            )
            break
        body += section
    return body + footer
