"""The benchmark's printed tables: columns padded to their widest cell."""

from collections.abc import Sequence

Row = Sequence[object]


def _widths(rows: list[Row]) -> list[int]:
    return [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]


def plain(head: Row, body: list[Row]) -> str:
    """Columns separated by two spaces, a rule under the head (`make bench`)."""
    widths = _widths([head, *body])
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in [head, *body]]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def markdown(head: Row, body: list[Row]) -> str:
    """A Markdown table, ready for the README (`make bench-national`)."""
    widths = _widths([head, *body])
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
             for r in [head, *body]]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
