"""Small SVG bar charts for `make report` (the console draws the same charts in the browser,
static/insights.js). Self-contained files: no script, no external font or style, a title and
a description for screen readers, colours with at least 3:1 contrast on white."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

# GC Design System blue and a dark orange: both >= 4.5:1 on white, distinct for colour blindness.
COLOURS = ("#26374a", "#b3541e")
FONT = 'font-family="Noto Sans, Arial, sans-serif"'
Series = tuple[str, Sequence[float]]  # (name, one value per label)


def _svg(width: int, height: int, title: str, description: str, body: list[str]) -> str:
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="title desc">',
            f'  <title id="title">{escape(title)}</title>',
            f'  <desc id="desc">{escape(description)}</desc>',
            f'  <rect width="{width}" height="{height}" fill="#ffffff"/>',
            *body,
            "</svg>",
            "",
        ]
    )


def _legend(series: Sequence[Series], x: int, y: int) -> list[str]:
    parts = []
    for index, (name, _) in enumerate(series):
        left = x + index * 200
        parts.append(f'  <rect x="{left}" y="{y - 11}" width="12" height="12" fill="{COLOURS[index % 2]}"/>')
        parts.append(f'  <text x="{left + 18}" y="{y}" {FONT} font-size="13" fill="#333333">{escape(name)}</text>')
    return parts


def horizontal_bars(
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    show: Callable[[float], str] | None = None,
) -> str:
    """One row per label, one bar per series, the value written after each bar (as `show` writes it)."""
    show = show or _number
    label_width, bar_area, bar, gap = 300, 360, 14, 10
    row = bar * len(series) + gap
    top = 56
    height = top + max(1, len(labels)) * row + 20
    width = label_width + bar_area + 80
    highest = max([v for _, values in series for v in values] + [1])
    body = [f'  <text x="16" y="26" {FONT} font-size="17" font-weight="bold" fill="#333333">{escape(title)}</text>']
    body += _legend(series, 16, 46) if len(series) > 1 else []
    for i, label in enumerate(labels):
        y = top + i * row
        body.append(
            f'  <text x="{label_width - 8}" y="{y + row / 2}" text-anchor="end" {FONT} font-size="13" '
            f'fill="#333333">{escape(label)}</text>'
        )
        for s, (_, values) in enumerate(series):
            length = round(bar_area * values[i] / highest, 1)
            by = y + s * bar
            body.append(
                f'  <rect x="{label_width}" y="{by}" width="{length}" height="{bar - 2}" fill="{COLOURS[s % 2]}"/>'
            )
            body.append(
                f'  <text x="{label_width + length + 6}" y="{by + bar - 4}" {FONT} font-size="12" '
                f'fill="#333333">{escape(show(values[i]))}</text>'
            )
    if not labels:
        body.append(f'  <text x="16" y="{top + 12}" {FONT} font-size="13" fill="#333333">—</text>')
    return _svg(width, height, title, description, body)


def columns(title: str, description: str, labels: Sequence[str], series: Sequence[Series]) -> str:
    """One group of columns per label (a day), with the first, middle and last label below."""
    left, top, plot_height, width = 56, 66, 220, 760
    plot_width = width - left - 16
    group = plot_width / max(1, len(labels))
    column = max(1.0, (group - 2) / len(series))
    highest = max([v for _, values in series for v in values] + [1])
    body = [f'  <text x="16" y="26" {FONT} font-size="17" font-weight="bold" fill="#333333">{escape(title)}</text>']
    body += _legend(series, 16, 46) if len(series) > 1 else []
    base = top + plot_height
    body.append(f'  <line x1="{left}" y1="{base}" x2="{width - 16}" y2="{base}" stroke="#333333"/>')
    for value, y in ((highest, top), (0, base)):
        body.append(
            f'  <text x="{left - 6}" y="{y + 4}" text-anchor="end" {FONT} font-size="12" '
            f'fill="#333333">{_number(value)}</text>'
        )
    for i, _ in enumerate(labels):
        for s, (_, values) in enumerate(series):
            height = round(plot_height * values[i] / highest, 1)
            x = round(left + i * group + 1 + s * column, 1)
            body.append(
                f'  <rect x="{x}" y="{base - height}" width="{round(column, 1)}" height="{height}" '
                f'fill="{COLOURS[s % 2]}"/>'
            )
    for i in sorted({0, len(labels) // 2, len(labels) - 1}) if labels else []:
        anchor = "start" if i == 0 else "end" if i == len(labels) - 1 else "middle"
        x = left + i * group + (0 if anchor == "start" else group if anchor == "end" else group / 2)
        body.append(
            f'  <text x="{round(x, 1)}" y="{base + 18}" text-anchor="{anchor}" {FONT} font-size="12" '
            f'fill="#333333">{escape(labels[i])}</text>'
        )
    return _svg(width, base + 30, title, description, body)


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
