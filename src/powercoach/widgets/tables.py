"""The orientation's tables: the twelve techniques and the twelve pitfalls, from the catalogue."""

from __future__ import annotations

from html import escape

import ipywidgets as W

from .. import catalog


def techniques_table() -> W.HTML:
    """The twelve techniques as a table, from the catalogue."""
    icf = catalog.icf_competencies()
    rows = "".join(
        f"<tr><td>{t.module}</td><td><b>{escape(t.title)}</b></td><td>{escape(t.summary)}</td>"
        f"<td>{escape(', '.join(f'{c} {icf[c]}' for c in t.icf))}</td></tr>"
        for t in catalog.techniques().values()
    )
    return W.HTML(
        "<table style='border-collapse:collapse;max-width:900px'><caption>The twelve techniques</caption>"
        "<thead><tr><th>Module</th><th>Technique</th><th>The idea</th><th>ICF competencies (2019)</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def pitfalls_table() -> W.HTML:
    """The twelve pitfalls as a table, from the catalogue."""
    rows = "".join(f"<tr><td><b>{escape(p.title)}</b></td><td>{escape(p.description)}</td></tr>"
                   for p in catalog.pitfalls().values())
    return W.HTML("<table style='border-collapse:collapse;max-width:900px'><caption>The twelve pitfalls</caption>"
                  f"<thead><tr><th>Pitfall</th><th>What it looks like</th></tr></thead><tbody>{rows}</tbody></table>")
