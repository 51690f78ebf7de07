"""Diffs as text and as a markdown PR comment (summary first, details folded, bounded size)."""

from __future__ import annotations

from langsmith_dataplane.review.diff import Change, StackDiff, TopologyDiff
from langsmith_dataplane.review.escape import markdown, terminal

MARKDOWN_LIMIT = 60_000
SYMBOLS = {"added": "+", "removed": "-", "changed": "~", "replaced": "+-", "renamed": ">"}


def _line(change: Change) -> str:
    return terminal(_described(change), limit=None)


def _described(change: Change) -> str:
    text = f"{SYMBOLS[change.kind]} {change.type}  {change.name}"
    if change.kind == "renamed":
        return f"{text} (was {change.old_name})"
    if change.kind == "replaced":
        return f"{text}: {change.reason}"
    if change.paths:
        return f"{text}: {', '.join(change.paths)}"
    return text


def _rename_summary(changes: list[Change]) -> list[str]:
    """A renamed listener's resources read best as one line: `b-dev -> team-b-dev (31)`."""
    listeners = [c for c in changes if c.type == "langsmith:index:Listener"]
    counts = dict.fromkeys(((c.old_name, c.name) for c in listeners), 0)
    rest = []
    for change in changes:
        owner = next((key for key in counts if key[1] in change.name), None)
        if owner is None:
            rest.append(_line(change))
        else:
            counts[owner] += 1
    lines = [
        f"> listener {old} renamed to {new} through aliases: {count} resources kept, "
        "nothing replaced"
        for (old, new), count in sorted(counts.items())
    ]
    return lines + rest


def _lines(d: StackDiff) -> list[str]:
    lines = [_line(c) for kind in ("removed", "replaced", "changed", "added") for c in d.of(kind)]
    return lines + _rename_summary(d.of("renamed"))


def _counts(d: StackDiff) -> str:
    parts = [f"{len(d.of(k))} {k}" for k in ("added", "changed", "replaced", "removed", "renamed")]
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
        "| stack | status | added | changed | replaced | removed | renamed |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in diff.affected_stacks:
        d = diff.stacks[name]
        counts = " | ".join(
            str(len(d.of(k))) for k in ("added", "changed", "replaced", "removed", "renamed")
        )
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
