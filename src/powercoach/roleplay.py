"""Branching role-plays for the capstone (data/roleplays.json), validated on load.

A role-play is a graph of nodes: a decision node holds the client's line and three choices
(best, mixed, poor), each leading to a different next node; an ending node holds the client's
last line and a debrief. Branches may meet again, but there are no cycles, no dangling or
unreachable nodes, and every path passes enough decisions before it ends.
"""

from __future__ import annotations

from functools import cache

from . import catalog
from .errors import DataError

FIELDS = ("roleplay_id", "title", "client_role", "client_gender", "setting", "sector", "premise", "start", "nodes")
QUALITIES = ("best", "mixed", "poor")
MIN_DEPTH = 4


def _check_choice(choice: dict, where: str, nodes: dict) -> None:
    for key in ("text", "quality", "technique", "feedback", "next"):
        if not choice.get(key):
            raise DataError(f"{where}: a choice lacks '{key}'.")
    if choice["technique"] not in catalog.techniques():
        raise DataError(f"{where}: unknown technique '{choice['technique']}'.")
    pitfall = choice.get("pitfall", "")
    if choice["quality"] == "best" and pitfall:
        raise DataError(f"{where}: the best choice has no pitfall.")
    if choice["quality"] != "best" and pitfall not in catalog.pitfalls():
        raise DataError(f"{where}: a {choice['quality']} choice needs a pitfall id, not '{pitfall}'.")
    if choice["next"] not in nodes:
        raise DataError(f"{where}: 'next' points at '{choice['next']}', which does not exist.")


def validate(rp: dict) -> None:
    rid = rp.get("roleplay_id", "?") if isinstance(rp, dict) else "?"
    missing = [f for f in FIELDS if not (isinstance(rp, dict) and rp.get(f))]
    if missing:
        raise DataError(f"role-play {rid} lacks {', '.join(missing)}.")
    nodes = rp["nodes"]
    if rp["start"] not in nodes:
        raise DataError(f"role-play {rid}: start node '{rp['start']}' does not exist.")
    for name, node in nodes.items():
        where = f"role-play {rid}, node {name}"
        if not node.get("client_says"):
            raise DataError(f"{where}: lacks the client's line.")
        if node.get("ending"):
            if not node.get("debrief"):
                raise DataError(f"{where}: an ending needs a debrief.")
            continue
        choices = node.get("choices") or []
        if sorted(c.get("quality") for c in choices) != sorted(QUALITIES):
            raise DataError(f"{where}: needs exactly three choices, one each of {', '.join(QUALITIES)}.")
        for choice in choices:
            _check_choice(choice, where, nodes)
        if len({c["next"] for c in choices}) != 3:
            raise DataError(f"{where}: each choice must lead to a different next node.")
    depth = decisions_to_end(rp)
    if depth < MIN_DEPTH:
        raise DataError(f"role-play {rid}: a path ends after {depth} decisions; at least {MIN_DEPTH} are needed.")
    unreachable = set(nodes) - reachable(rp)
    if unreachable:
        raise DataError(f"role-play {rid}: unreachable node(s) {', '.join(sorted(unreachable))}.")


def reachable(rp: dict) -> set[str]:
    seen, todo = set(), [rp["start"]]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += [c["next"] for c in rp["nodes"][name].get("choices", [])]
    return seen


def decisions_to_end(rp: dict) -> int:
    """The fewest decisions on any path from start to an ending; a cycle is an error."""
    nodes, rid = rp["nodes"], rp["roleplay_id"]
    memo: dict[str, int] = {}

    def shortest(name: str, trail: tuple[str, ...]) -> int:
        if name in trail:
            raise DataError(f"role-play {rid}: a cycle passes through {name}.")
        if name not in memo:
            node = nodes[name]
            memo[name] = 0 if node.get("ending") else 1 + min(
                shortest(c["next"], (*trail, name)) for c in node["choices"])
        return memo[name]

    return shortest(rp["start"], ())


def path_count(rp: dict) -> int:
    nodes = rp["nodes"]
    memo: dict[str, int] = {}

    def count(name: str) -> int:
        if name not in memo:
            node = nodes[name]
            memo[name] = 1 if node.get("ending") else sum(count(c["next"]) for c in node["choices"])
        return memo[name]

    return count(rp["start"])


@cache
def roleplays() -> dict[str, dict]:
    raw = catalog.read_json(catalog.DATA / "roleplays.json")
    if not isinstance(raw, list) or not raw:
        raise DataError("roleplays.json must hold a non-empty list of role-plays.")
    out = {}
    for rp in raw:
        validate(rp)
        if rp["roleplay_id"] in out:
            raise DataError(f"role-play id {rp['roleplay_id']} is used twice.")
        out[rp["roleplay_id"]] = rp
    return out


class Walk:
    """One learner's way through a role-play: where they are and what they chose."""

    def __init__(self, rp: dict):
        self.rp = rp
        self.node = rp["start"]
        self.path: list[tuple[str, dict]] = []  # (node name, the choice taken there)

    @property
    def current(self) -> dict:
        return self.rp["nodes"][self.node]

    @property
    def finished(self) -> bool:
        return bool(self.current.get("ending"))

    def choose(self, index: int) -> dict:
        if self.finished:
            raise ValueError("The conversation has ended; start again to take another path.")
        choice = self.current["choices"][index]
        self.path.append((self.node, choice))
        self.node = choice["next"]
        return choice

    def best_path(self) -> list[tuple[str, dict]]:
        """The path that takes the best choice at every turn, from the start."""
        out, name = [], self.rp["start"]
        while not self.rp["nodes"][name].get("ending"):
            choice = next(c for c in self.rp["nodes"][name]["choices"] if c["quality"] == "best")
            out.append((name, choice))
            name = choice["next"]
        return out

    def best_count(self) -> int:
        return sum(choice["quality"] == "best" for _, choice in self.path)
