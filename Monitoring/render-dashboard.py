#!/usr/bin/env python3
"""Render Monitoring/classgate-dashboard.json's panels as a static HTML page with SVG charts.

Not Grafana: the panels, their layout (gridPos), units, legends and value mappings are read from
the Grafana dashboard JSON, and every panel's PromQL expressions, exactly as the JSON has them
(with $instance matching every school box), are queried from a real Prometheus's HTTP API
(/api/v1/query_range for time series, /api/v1/query for stats and tables). Standard library only.

  render-dashboard.py --list-expressions [--dashboard FILE]   the expressions it would query
  render-dashboard.py --prometheus URL --start T --end T --out FILE.html [--dashboard FILE]
"""
import argparse
import html
import json
import os
import re
import sys
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
COLOURS = ["#73bf69", "#f2cc0c", "#5794f2", "#ff9830", "#f2495c", "#b877d9", "#8ab8ff", "#96d98d"]
COLUMN_PX, ROW_PX, GAP_PX = 56, 34, 8  # one Grafana grid column (of 24) and row


def panels(dashboard):
    """The dashboard's panels in layout order: (panel, [(refId, expr, legendFormat)])."""
    out = []
    for panel in sorted(dashboard["panels"], key=lambda p: (p["gridPos"]["y"], p["gridPos"]["x"])):
        targets = [(t["refId"], t["expr"], t.get("legendFormat", "")) for t in panel.get("targets", [])]
        out.append((panel, targets))
    return out


def concrete(expr):
    # Grafana's "All" for the $instance variable: every school box Prometheus scrapes.
    return expr.replace("$instance", ".*")


def api(base, path, params):
    url = base.rstrip("/") + path + "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=30) as response:
        body = json.load(response)
    if body.get("status") != "success":
        raise SystemExit(f"{url}: {body}")
    return body["data"]["result"]


def legend(fmt, labels):
    text = re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: labels.get(m.group(1), ""), fmt)
    return text or ", ".join(f"{k}={v}" for k, v in sorted(labels.items()) if k != "__name__") or "value"


def number(value, unit):
    if value != value:  # NaN: no data in the window (a quantile of no commits)
        return "–"
    if unit == "bytes":
        for scale, suffix in [(2**30, " GiB"), (2**20, " MiB"), (2**10, " KiB")]:
            if abs(value) >= scale:
                return f"{value / scale:.1f}{suffix}"
        return f"{value:.0f} B"
    if unit == "s":
        if value == 0:
            return "0 s"
        if abs(value) < 1:
            return f"{value * 1000:.3g} ms"
        return f"{value:.3g} s"
    suffix = " ops/s" if unit == "ops" else ""
    if abs(value) >= 1000:
        return f"{value / 1000:.1f}k{suffix}"
    return f"{value:.3g}{suffix}"


def clock(t):
    return time.strftime("%H:%M:%S", time.localtime(t))


def timeseries_svg(series, unit, stacked, width, height, start, end):
    """Lines (stacked areas when the panel stacks) over [start, end], with axes and a legend."""
    left, right, top, bottom = 88, 10, 8, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    points = [[(t, v) for t, v in s["values"] if v == v] for s in series]
    if stacked:
        totals, stacked_points = {}, []
        for pts in points:
            row = []
            for t, v in pts:
                base = totals.get(t, 0.0)
                totals[t] = base + v
                row.append((t, base + v, base))
            stacked_points.append(row)
    values = [v for pts in points for _, v in pts]
    if stacked:
        values = [v for row in stacked_points for _, v, _ in row]
    top_value = max(values + [0.0])
    bottom_value = min(values + [0.0])
    if top_value == bottom_value:
        top_value = bottom_value + 1
    top_value += (top_value - bottom_value) * 0.05

    def x(t):
        return left + (t - start) / max(end - start, 1) * plot_w

    def y(v):
        return top + plot_h - (v - bottom_value) / (top_value - bottom_value) * plot_h

    parts = [f'<svg width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">']
    for i in range(5):
        v = bottom_value + (top_value - bottom_value) * i / 4
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" class="axis" text-anchor="end">{number(v, unit)}</text>')
    for i in range(5):
        t = start + (end - start) * i / 4
        anchor = "start" if i == 0 else "end" if i == 4 else "middle"
        parts.append(f'<text x="{x(t):.1f}" y="{height - 6}" class="axis" text-anchor="{anchor}">{clock(t)}</text>')
    for index, pts in enumerate(points):
        colour = COLOURS[index % len(COLOURS)]
        if stacked:
            row = stacked_points[index]
            if not row:
                continue
            upper = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v, _ in row)
            lower = " ".join(f"{x(t):.1f},{y(b):.1f}" for t, _, b in reversed(row))
            parts.append(f'<polygon points="{upper} {lower}" fill="{colour}" fill-opacity="0.3"/>')
            parts.append(f'<polyline points="{upper}" stroke="{colour}" fill="none" stroke-width="1.5"/>')
        elif pts:
            line = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in pts)
            parts.append(f'<polyline points="{line}" stroke="{colour}" fill="none" stroke-width="1.5"/>')
    parts.append("</svg>")
    return "".join(parts)


def stat_html(panel, results, unit):
    defaults = panel.get("fieldConfig", {}).get("defaults", {})
    mappings = {}
    for mapping in defaults.get("mappings", []):
        mappings.update(mapping.get("options", {}))
    cells = []
    for result in results or [None]:
        if result is None:
            cells.append('<div class="stat" style="background:#444">No data</div>')
            continue
        value = float(result["value"][1])
        key = f"{value:g}"
        mapped = mappings.get(key)
        text = mapped["text"] if mapped else number(value, unit)
        colour = mapped.get("color", "#444") if mapped else "#444"
        colour = {"green": "#37872d", "red": "#c4162a"}.get(colour, colour)
        cells.append(f'<div class="stat" style="background:{colour}">{html.escape(text)}</div>')
    return "".join(cells)


def table_html(results, unit):
    """Grafana's table of an instant query: one row per series, its labels as columns."""
    rows = []
    for result in results:
        labels = {k: v for k, v in result["metric"].items() if k != "__name__"}
        rows.append((labels, number(float(result["value"][1]), unit)))
    if not rows:
        return '<p class="empty">No data</p>'
    keys = sorted({k for labels, _ in rows for k in labels if k != "job"})
    head = "".join(f"<th>{html.escape(k)}</th>" for k in keys) + "<th>Value</th>"
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(labels.get(k, ''))}</td>" for k in keys) + f"<td>{value}</td></tr>"
        for labels, value in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def render(dashboard, base, start, end, step):
    blocks = []
    for panel, targets in panels(dashboard):
        grid = panel["gridPos"]
        width = grid["w"] * COLUMN_PX - GAP_PX
        height = grid["h"] * ROW_PX - GAP_PX
        style = (
            f"left:{grid['x'] * COLUMN_PX}px;top:{grid['y'] * ROW_PX}px;width:{width}px;height:{height}px"
        )
        defaults = panel.get("fieldConfig", {}).get("defaults", {})
        unit = defaults.get("unit", "short")
        title = f'<div class="title">{html.escape(panel["title"])}</div>'
        if panel["type"] == "timeseries":
            series = []
            for _, expr, fmt in targets:
                for result in api(base, "/api/v1/query_range", {"query": concrete(expr), "start": start, "end": end, "step": step}):
                    values = [(float(t), float(v)) for t, v in result["values"]]
                    series.append({"name": legend(fmt, result["metric"]), "values": values})
            stacked = defaults.get("custom", {}).get("stacking", {}).get("mode") == "normal"
            # The legend wraps under the chart (about 7 px a character): leave it its rows.
            legend_px = sum(len(s["name"]) * 7 + 30 for s in series)
            legend_rows = max(1, -(-legend_px // (width - 16)))
            chart = timeseries_svg(series, unit, stacked, width - 16, height - 42 - 16 * legend_rows, start, end)
            keys = "".join(
                f'<span><i style="background:{COLOURS[i % len(COLOURS)]}"></i>{html.escape(s["name"])}</span>'
                for i, s in enumerate(series)
            )
            content = chart + f'<div class="legend">{keys or "No data"}</div>'
        else:
            results = []
            for _, expr, _ in targets:
                results += api(base, "/api/v1/query", {"query": concrete(expr), "time": end})
            if panel["type"] == "stat":
                content = stat_html(panel, results, unit)
            else:
                content = table_html(results, unit)
        blocks.append(f'<div class="panel" style="{style}">{title}{content}</div>')
    rows = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in dashboard["panels"])
    return PAGE.format(
        title=html.escape(dashboard["title"]),
        window=f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(start))} – {clock(end)} ({time.strftime('%Z')})",
        source=html.escape(base),
        height=rows * ROW_PX,
        panels="\n".join(blocks),
    )


PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title><style>
body {{ background:#111217; color:#ccccdc; font:13px 'DejaVu Sans',sans-serif; margin:12px; }}
h1 {{ font-size:17px; margin:0 0 2px; }} .note {{ color:#8e8e9e; margin:0 0 10px; }}
.board {{ position:relative; height:{height}px; }}
.panel {{ position:absolute; background:#181b1f; border:1px solid #2c3235; border-radius:2px;
  padding:6px 8px; box-sizing:border-box; overflow:hidden; }}
.title {{ font-weight:bold; margin-bottom:4px; }}
.stat {{ color:#fff; font-size:30px; font-weight:bold; text-align:center; padding:18px 0; border-radius:2px; }}
.grid {{ stroke:#2c3235; }} .axis {{ fill:#8e8e9e; font-size:10px; }}
.legend span {{ margin-right:12px; white-space:nowrap; }}
.legend i {{ display:inline-block; width:10px; height:3px; margin-right:4px; vertical-align:middle; }}
table {{ border-collapse:collapse; width:100%; }} td, th {{ border-bottom:1px solid #2c3235; padding:2px 6px; text-align:left; }}
.empty {{ color:#8e8e9e; }}
</style></head><body>
<h1>{title}</h1>
<p class="note">The panels of Monitoring/classgate-dashboard.json, their PromQL queried from a real Prometheus
({source}); drawn by Monitoring/render-dashboard.py, not Grafana. {window}.</p>
<div class="board">
{panels}
</div></body></html>
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dashboard", default=os.path.join(HERE, "classgate-dashboard.json"))
    parser.add_argument("--list-expressions", action="store_true", help="print each panel's title and expressions")
    parser.add_argument("--prometheus", help="Prometheus base URL, e.g. http://127.0.0.1:9090")
    parser.add_argument("--start", type=float, help="window start (Unix seconds)")
    parser.add_argument("--end", type=float, help="window end (Unix seconds)")
    parser.add_argument("--step", type=float, default=2)
    parser.add_argument("--out", help="the HTML page to write")
    args = parser.parse_args()
    with open(args.dashboard, encoding="utf-8") as f:
        dashboard = json.load(f)
    if args.list_expressions:
        for panel, targets in panels(dashboard):
            for _, expr, _ in targets:
                print(f"{panel['title']}\t{expr}")
        return
    if not (args.prometheus and args.start and args.end and args.out):
        parser.error("--prometheus, --start, --end and --out are needed to render")
    page = render(dashboard, args.prometheus, args.start, args.end, args.step)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(page)


if __name__ == "__main__":
    sys.exit(main())
