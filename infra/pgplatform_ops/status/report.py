"""The status report: growth against the previous snapshot, seed 000's alerts, Markdown."""

from __future__ import annotations

from typing import Any

from pgplatform_ops.pitr import health as pitr_health
from pgplatform_ops.status import load

GROWING = {"databases": ("bytes", "rows"), "services": ("bytes", "rows"),
           "load": ("calls", "exec_ms")}
"""Per section, the figures shown with their change since the previous status."""
STARTS_FROM_ZERO = {"load"}
"""Sections listing only what has figures: a service missing from the previous status's had
none then (it ran no statement), so its growth is all of it."""


def with_growth(now: dict[str, Any], before: dict[str, Any] | None) -> dict[str, Any]:
    before = before or {}
    for section, keys in GROWING.items():
        previous = before.get(section)
        for name, entry in (now.get(section) or {}).items():
            old = (previous or {}).get(name)
            if old is None and section in STARTS_FROM_ZERO and previous is not None:
                old = {}
            for key in keys:
                if key in entry:
                    entry[f"{key}_growth"] = None if old is None else entry[key] - old.get(key, 0)
    return now


def alerts(status: dict[str, Any]) -> list[str]:
    """Seed 000's alert conditions: any attempt to reach another database (a service's
    app at the agents' database, an MCP server at the app's), any login the model does not
    know, any table in the wrong place; point-in-time recovery at risk."""
    out = []
    for d in status["denied"]:
        if d["kind"] == "connect" and d["home"] is None:
            out.append(f"{d['count']} connection attempt(s) to {d['database']} by "
                       f"{d['role']!r}, a role the model does not have")
        elif d["kind"] == "connect" and d["home"] == "platform":
            out.append(f"{d['count']} connection attempt(s) to {d['database']} by the "
                       f"platform's role {d['role']!r} refused")
        elif d["kind"] == "connect" and d["home"] != d["database"]:
            out.append(f"{d['count']} cross-database attempt(s): {d['role']} (of "
                       f"{d['home']}) tried {d['database']}")
    for m in status["misplaced"]:
        out.append(f"table {m['database']}.{m['schema']}.{m['table']} (owner {m['owner']}) "
                   f"is outside its place (expected owner: {m['expected']})")
    return out + pitr_health.alerts(status.get("pitr"))


def _growth(value: float | None) -> str:
    return "(first status)" if value is None else f"{round(value):+,}"


def markdown(status: dict[str, Any]) -> str:
    lines = [f"# Status of stack {status['stack']} at {status['taken_at']}", ""]
    lines += ["| database | bytes | growth |", "| --- | ---: | ---: |"]
    lines += [f"| {n} | {e['bytes']:,} | {_growth(e.get('bytes_growth'))} |"
              for n, e in sorted(status["databases"].items())]
    lines += ["", "| service | database | tables | bytes | growth | est. rows | growth |",
              "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {n} | {e['database']} | {e['tables']} | {e['bytes']:,} | "
              f"{_growth(e.get('bytes_growth'))} | {e['rows']:,} | "
              f"{_growth(e.get('rows_growth'))} |"
              for n, e in sorted(status["services"].items())]
    lines += ["", "| role | database | connections | limit |", "| --- | --- | ---: | ---: |"]
    lines += [f"| {c['role']} | {c['database'] or ''} | {c['count']} | "
              f"{'' if c['limit'] is None else c['limit']} |" for c in status["connections"]]
    lines += ["", "est. rows: the planner's estimate (reltuples after VACUUM/ANALYZE), not a "
                  "count."]
    lines += load.markdown(status.get("load"), _growth)
    lines += pitr_health.markdown(status.get("pitr"))
    lines += ["", "Denied since the previous status:", ""]
    if status.get("verification_runs"):
        lines += [f"(less {status['denied_by_verification']} denials that verification runs "
                  f"{', '.join(status['verification_runs'])} recorded of their own probes"
                  + (f"; {status['verification_unseen']} of theirs were not in this log"
                     if status.get("verification_unseen") else "") + ")", ""]
    if status.get("denied_unknown"):
        lines.append(f"not known ({status['denied_unknown']})")
    elif status["denied"]:
        lines += ["| role | database | kind | count |", "| --- | --- | --- | ---: |"]
        lines += [f"| {d['role']} | {d['database']} | {d['kind']} | {d['count']} |"
                  for d in status["denied"]]
    else:
        lines.append("none")
    lines += ["", "Alerts:", ""]
    lines += [f"- {a}" for a in status["alerts"]] or ["none"]
    return "\n".join(lines) + "\n"
