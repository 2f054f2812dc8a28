"""The reply reader: what a listener may hear in a coach's typed reply (issue #16).

A learner types what they would say to a senior client; :func:`read` returns observations tied
to the course's vocabulary (the twelve pitfalls and the strengths the lessons teach), each naming
the words that triggered it. It is formative, never a mark.

This module is a small interpreter of ``data/reader/<lang>.json``: every pattern, word list,
weight and message lives there, where a coach educator can read and edit it. The file is read,
and its patterns compiled, on the first call (never at ``import powercoach``). Stdlib only, so it
runs in JupyterLite's Pyodide.

``python -m powercoach.reader evaluate`` measures it (see :mod:`powercoach.reader_eval`).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

MAX_CHARS = 2000  # longer replies get a notice and are not scanned

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+|$)")


@dataclass(frozen=True)
class Observation:
    """One thing a listener may hear, and the words in the reply that raised it."""

    kind: str  # "pitfall" or "strength"
    id: str
    title: str
    message: str
    words: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]

    def to_dict(self) -> dict:
        return {"kind": self.kind, "id": self.id, "title": self.title, "message": self.message,
                "words": list(self.words), "spans": [list(s) for s in self.spans]}


@dataclass(frozen=True)
class Reading:
    """What the reader made of one reply: observations, or a plain notice instead."""

    observations: list[Observation] = field(default_factory=list)
    notice: str | None = None
    scores: dict[str, float] = field(default_factory=dict)  # pitfall id -> how strongly suspected

    @property
    def pitfalls(self) -> list[str]:
        return [o.id for o in self.observations if o.kind == "pitfall"]

    @property
    def strengths(self) -> list[str]:
        return [o.id for o in self.observations if o.kind == "strength"]

    def to_dict(self) -> dict:
        return {"pitfalls": self.pitfalls, "observations": [o.to_dict() for o in self.observations],
                "notice": self.notice}


# --- the data file ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Cue:
    id: str
    kind: str  # pitfall | strength
    target: str
    regex: re.Pattern
    weight: float
    message: str
    scope: str  # any | question | statement
    techniques: dict  # technique -> multiplier ("*" = the rest)


def _data_path(lang: str):
    return resources.files("powercoach") / "data" / "reader" / f"{lang}.json"


@cache
def data(lang: str = "en") -> dict:
    """The language's data file, parsed (once)."""
    path = _data_path(lang)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"The reader has no data file for language '{lang}' ({path}).") from None


def _flags() -> int:
    return re.IGNORECASE | re.MULTILINE


_LEXICON_REF = re.compile(r"\{@([a-z_]+)\}")


def expand(pattern: str, lexicons: dict) -> str:
    """A word class's pattern with each ``{@name}`` replaced by the general word list of that name
    (``lexicons`` in the data file), as ``word|word|...``, longest first, each word escaped and its
    spaces made flexible. An unknown name raises KeyError."""
    def words(m: re.Match) -> str:
        items = sorted({w.strip() for w in lexicons[m.group(1)] if w.strip()}, key=lambda w: (-len(w), w))
        return "|".join(re.escape(w).replace("\\ ", r"\s+").replace("'", "['’]") for w in items)
    return _LEXICON_REF.sub(words, pattern)


@cache
def _compiled(lang: str = "en") -> dict:
    """Cues and guards compiled once per language."""
    d = data(lang)
    lex = d.get("lexicons", {})
    cues = []
    for kind, section in (("pitfall", d["pitfalls"]), ("strength", d["strengths"])):
        for target, spec in section.items():
            for cue in spec.get("cues", []):
                cues.append(_Cue(cue["id"], kind, target, re.compile(cue["pattern"], _flags()),
                                 float(cue.get("weight", 1.0)), cue.get("message") or spec["message"],
                                 cue.get("scope", "any"), cue.get("techniques", {})))
    g = d["guards"]
    return {
        "cues": cues,
        "code": [re.compile(p, _flags()) for p in g["code_patterns"]],
        "english": frozenset(w.lower() for w in g["english_words"]),
        "foreign": frozenset(w.lower() for w in g["foreign_words"]),
        "word_classes": {k: (re.compile(expand(v["pattern"], lex), _flags()), v.get("scope", "any"), v.get("cap", 3))
                         for k, v in d.get("word_classes", {}).items()},
        "quote": re.compile(d["features"]["quotes"]["pattern"], _flags()),
        "closed": re.compile(d["features"]["closed_questions"]["pattern"], _flags()),
        "stop": frozenset(w.lower() for w in d["features"]["client_words"]["stopwords"]),
    }


def _titles(lang: str = "en") -> dict[str, str]:
    from .catalog import pitfalls

    out = {p.id: p.title for p in pitfalls().values()}
    out.update({k: v["title"] for k, v in data(lang)["strengths"].items()})
    return out


def __getattr__(name: str):
    # STRENGTHS and ABOUT come from the data file, read on first use (PEP 562), not at import.
    if name == "STRENGTHS":
        return {k: v["title"] for k, v in data("en")["strengths"].items()}
    if name == "ABOUT":
        return data("en")["about"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- reading ---------------------------------------------------------------------------------

def _notice(reply: str, lang: str) -> str | None:
    d = data(lang)
    msg = d["notices"]
    if not reply.strip():
        return msg["empty"]
    if len(reply) > MAX_CHARS:
        return msg["too_long"].format(max=MAX_CHARS, n=len(reply))
    c = _compiled(lang)
    if any(p.search(reply) for p in c["code"]):
        return msg["code"]
    words = [w.lower() for w in _WORD.findall(reply)]
    letters = sum(ch.isalpha() for ch in reply)
    latin = sum(ch.isascii() and ch.isalpha() for ch in reply)
    g = d["guards"]
    if letters and latin / letters < g["min_latin_share"]:
        return msg["not_english"]
    eng = sum(w in c["english"] for w in words)
    foreign = sum(w in c["foreign"] for w in words)
    if len(words) >= g["min_words_for_language"] and (foreign > eng or eng / len(words) < g["min_english_share"]):
        return msg["not_english"]
    if not words:
        return msg["empty"]
    return None


def _sentences(reply: str) -> list[tuple[int, int, bool]]:
    """(start, end, is_question) for each sentence, trimmed of leading space."""
    out = []
    for m in _SENTENCE.finditer(reply):
        s, e = m.span()
        while s < e and reply[s].isspace():
            s += 1
        if s < e:
            out.append((s, e, reply[s:e].rstrip().endswith("?")))
    return out


def _weight(cue: _Cue, technique: str | None) -> float:
    """The cue's weight, times its multiplier for the scene's technique (none given: 1)."""
    if technique is None or not cue.techniques:
        return cue.weight
    return cue.weight * cue.techniques.get(technique, cue.techniques.get("*", 1.0))


def _regions(reply: str, sentences, scope: str) -> list[tuple[int, int]]:
    """Where a pattern may match: the whole reply, or only its questions, or only its statements."""
    if scope == "any":
        return [(0, len(reply))]
    return [(s, e) for s, e, q in sentences if q == (scope == "question")]


def _matches(cue: _Cue, reply: str, sentences) -> list[tuple[int, int]]:
    spans = []
    for s, e in _regions(reply, sentences, cue.scope):
        for m in cue.regex.finditer(reply, s, e):
            g = "w" if "w" in cue.regex.groupindex and m.group("w") is not None else 0
            if m.end(g) > m.start(g):
                spans.append((m.start(g), m.end(g)))
    return spans


def _client_words(reply: str, client_says: str, conf: dict, stop) -> list[tuple[int, int]]:
    """Spans of content words the reply gives back from what the client said."""
    if not client_says:
        return []

    def stem(w: str) -> str:
        w = w.lower().replace("’", "'")
        for suf in ("'s", "ing", "ed", "es", "s"):
            if len(w) - len(suf) >= conf["min_length"] and w.endswith(suf):
                return w[: -len(suf)]
        return w

    theirs = {stem(w) for w in _WORD.findall(client_says)
              if len(w) >= conf["min_length"] and w.lower() not in stop}
    spans = [m.span() for m in _WORD.finditer(reply)
             if len(m.group()) >= conf["min_length"] and m.group().lower() not in stop and stem(m.group()) in theirs]
    distinct = {stem(reply[s:e]) for s, e in spans}
    return spans if len(distinct) >= conf["min_shared"] else []


def _quote(words: str, before: str = "", after: str = "") -> str:
    """``words`` in quotes, for a message where ``before`` and ``after`` sit on either side of it.

    A quoted trigger that begins with the word just before it, or ends with the word just after it
    ("... and 'and you know it'", "'on that one?': one question"), would read as the word said
    twice: that word is left out of the quote, and "…" marks where (the span in the reply is
    unchanged; only the message is tidied). A one-word quote is never emptied.
    """
    ws = _WORD.findall(words)
    prev = _WORD.findall(before)[-1:] if before else []
    nxt = _WORD.findall(after)[:1] if after else []
    text = words.strip()
    if len(ws) > 1 and prev and ws[0].lower() == prev[0].lower():
        text = "…" + text[text.lower().index(ws[0].lower()) + len(ws[0]):].lstrip(" ,;:")
        ws = ws[1:]
    if len(ws) > 1 and nxt and ws[-1].lower() == nxt[0].lower():
        cut = text.lower().rindex(ws[-1].lower())
        text = text[:cut].rstrip(" ,;:") + "…"
    return f"'{text}'"


def _fmt(message: str, words: list[str], said: str = "") -> str:
    """The message with its trigger quoted; ``said`` is what the observation has said before it."""
    before, sep, after = message.partition("'{words}'")
    if sep:
        return before + _quote(words[0] if words else "", (said + " " + before) if said else before, after) + after
    return message.replace("{words}", words[0] if words else "")


def evidence(reply: str, technique: str | None = None, client_says: str = "", context: str = "", lang: str = "en"):
    """Everything the reader finds in a reply, before any decision.

    Returns ``(found, x)``: ``found`` maps (kind, id) to hand-written cue hits
    ``(weight, message, spans, cue id)``; ``x`` maps each named feature to ``(value, spans)``: the
    evidence of each pitfall's cues (``lex:<pitfall>``), each word class (``wc:<name>``), each
    strength (``strength:<id>``), the questions (``q:...``), the client's words given back
    (``client:overlap``), facts of the scene brought in (``context:overlap``: the context's words,
    such as a name, that the client did not just say) and the technique (``technique:<id>``). The
    learned weights in the data file are over exactly these names, so every suspicion can say
    which words raised it.
    """
    d = data(lang)
    c = _compiled(lang)
    sentences = _sentences(reply)
    found: dict[tuple[str, str], list] = {}

    def add(kind: str, target: str, weight: float, message: str, spans: list, name: str) -> None:
        found.setdefault((kind, target), []).append((weight, message, spans, name))

    # Words the coach quotes back ('fine', 'anyway') are the client's, not the coach's: pitfall cues
    # and word classes read the reply with them blanked out (same length, so offsets hold).
    masked = c["quote"].sub(lambda m: m.group(0)[: m.start("w") - m.start()] + " " * len(m.group("w"))
                            + m.group(0)[m.end("w") - m.start():], reply)
    for cue in c["cues"]:
        w = _weight(cue, technique)
        if w:
            spans = _matches(cue, reply if cue.kind == "strength" else masked, sentences)
            if spans:
                add(cue.kind, cue.target, w, cue.message, spans, cue.id)

    # Structural features, named in the data file: a stack of questions, closed questions in a
    # row, one question alone, the client's own words given back.
    feats = d["features"]
    questions = [(s, e) for s, e, q in sentences if q]
    qs = feats["question_stack"]
    if len(questions) >= qs["min_questions"]:
        add("pitfall", qs["pitfall"], qs["weight"] + qs["per_extra"] * (len(questions) - qs["min_questions"]),
            qs["message"], questions, "question-stack")
    cq = feats["closed_questions"]
    closed = [(s, e) for s, e in questions if c["closed"].match(reply, s, e)]
    if len(closed) >= cq["min_closed"]:
        add("pitfall", cq["pitfall"], cq["weight"], cq["message"], closed, "closed-questions")
    sq = feats["single_question"]
    if len(questions) == 1:
        add("strength", sq["strength"], 1.0, sq["message"], questions, "single-question")
    cw = feats["client_words"]
    given_back = _client_words(reply, client_says, cw, c["stop"])
    if given_back:
        add("strength", cw["strength"], 1.0, cw["message"], given_back, "client-words")

    x: dict[str, tuple[float, list]] = {}
    strengths = {t for (k, t), v in found.items()
                 if k == "strength" and sum(h[0] for h in v) >= d["strength_threshold"]}
    for (kind, target), hits in found.items():
        if kind == "pitfall":
            value = sum(h[0] for h in hits)
            for st in strengths:  # a strength weighs against some pitfalls (e.g. a boundary held, deference)
                value -= d["strengths"][st].get("counters", {}).get(target, 0.0)
            x[f"lex:{target}"] = (value, sorted({sp for h in hits if h[0] > 0 for sp in h[2]}))
        elif target in strengths:
            x[f"strength:{target}"] = (1.0, sorted({sp for h in hits for sp in h[2]}))
    for name, (regex, scope, cap) in c["word_classes"].items():
        spans = [m.span() for s, e in _regions(reply, sentences, scope) for m in regex.finditer(masked, s, e)
                 if m.end() > m.start()]
        if spans:
            x[f"wc:{name}"] = (float(min(len(spans), cap)), spans)
    open_q = [q for q in questions if q not in closed]
    for name, qlist in (("q:count", questions), ("q:closed", closed), ("q:open", open_q)):
        if qlist:
            x[name] = (float(min(len(qlist), 4)), qlist)
    if not questions:
        x["q:none"] = (1.0, [])
    shared = _client_words(reply, client_says, {**cw, "min_shared": 1}, c["stop"])
    if shared:
        x["client:overlap"] = (float(min(len(shared), 4)), shared)
    if context:
        facts = _client_words(reply, context, {**cw, "min_shared": 1}, c["stop"])
        facts = [sp for sp in facts if sp not in set(shared)]
        if facts:
            x["context:overlap"] = (float(min(len(facts), 4)), facts)
    if technique:
        x[f"technique:{technique}"] = (1.0, [])
    return found, x


def _model_scores(x: dict, model: dict) -> dict[str, float]:
    """Class probabilities (softmax over the learned linear scores)."""
    import math

    idx = model["features"]
    raw = {}
    for cls in model["classes"]:
        w = model["coef"][cls]
        raw[cls] = model["intercept"][cls] + sum(w[i] * x[f][0] for i, f in enumerate(idx) if f in x)
    top = max(raw.values())
    ex = {k: math.exp(v - top) for k, v in raw.items()}
    total = sum(ex.values())
    return {k: v / total for k, v in ex.items()}


def decide(reply: str, found: dict, x: dict, d: dict) -> tuple[list[str], dict[str, list], dict[str, float]]:
    """Which pitfalls to suspect, from the evidence (:func:`evidence`) and the data file ``d``.

    Returns ``(flagged, hits_for, scores)``: the suspected pitfall ids, most likely first; the hits
    (cue or learned) whose words each one names; and each pitfall's score. Kept apart from
    :func:`read` so that training can try many models on evidence computed once.
    """
    order = list(d["pitfalls"])
    model = d.get("model")
    hits_for: dict[str, list] = {p: [h for h in found.get(("pitfall", p), []) if h[0] > 0] for p in order}
    if model:
        probs = _model_scores(x, model)
        ranked = sorted(order, key=lambda p: (-probs[p], order.index(p)))
        flagged = []
        if probs["good"] < model["flag_below_good"]:
            top = probs[ranked[0]]
            flagged = [p for p in ranked[: model["max_pitfalls"]] if probs[p] >= model["also_within"] * top]
        scores = {p: round(probs[p], 3) for p in order}
        for p in flagged:
            learned = _learned_hit(p, x, model, d, reply)
            if learned:
                hits_for[p].append(learned)
        flagged = [p for p in flagged if hits_for[p]]  # never suspect without naming words
    else:
        scores = {p: round(x[f"lex:{p}"][0], 3) for p in order if f"lex:{p}" in x}
        flagged = sorted((p for p, v in scores.items() if v >= d["threshold"]),
                         key=lambda p: (-scores[p], order.index(p)))
    return flagged, hits_for, scores


def read(reply: str, technique: str | None = None, client_says: str = "", context: str = "",
         lang: str = "en") -> Reading:
    """What a listener may hear in ``reply``: observations, pitfalls first (most likely first).

    ``technique``, ``client_says`` and ``context`` describe the scene; the technique changes what
    counts as a boundary held, and the client's words are what "given back" is measured against.
    """
    if not isinstance(reply, str):
        reply = "" if reply is None else str(reply)
    if not (isinstance(lang, str) and re.fullmatch(r"[a-z]{2,3}", lang) and _data_path(lang).is_file()):
        return Reading([], f"The reader has no words for the language '{lang}' yet; it reads English ('en').")
    notice = _notice(reply, lang)
    if notice:
        return Reading([], notice)
    d = data(lang)
    found, x = evidence(reply, technique, client_says, context, lang)
    flagged, hits_for, scores = decide(reply, found, x, d)
    titles = _titles(lang)
    obs = [_observation("pitfall", p, titles[p], hits_for[p], reply) for p in flagged]
    for s in d["strengths"]:
        if f"strength:{s}" in x:
            obs.append(_observation("strength", s, titles[s], found[("strength", s)], reply))
    return Reading(obs, None, scores)


def _learned_hit(pitfall: str, x: dict, model: dict, d: dict, reply: str):
    """The words behind a learned suspicion: the named features that raised this pitfall over a
    good reply the most, said in one message (or None when no feature with words did)."""
    wp, wg = model["coef"][pitfall], model["coef"]["good"]
    gains = []
    for i, f in enumerate(model["features"]):
        # cue evidence speaks with its own messages, a strength is never shown as a pitfall's words, and a
        # word class marked "show": false (a plain count, such as the coach's 'I') weighs but is never quoted
        shown = not f.startswith("wc:") or d["word_classes"].get(f[3:], {}).get("show", True)
        if f in x and x[f][1] and shown and not f.startswith(("lex:", "strength:")):
            gain = (wp[i] - wg[i]) * x[f][0]
            if gain > model.get("min_gain", 0.3):
                gains.append((gain, f))
    if not gains:
        return None
    gains.sort(reverse=True)
    top = gains[: model.get("max_features_shown", 3)]
    means = d["feature_meanings"]
    parts, spans = [], []
    for _, f in top:
        kind, _, name = f.partition(":")
        meaning = d["word_classes"][name]["means"] if kind == "wc" else means.get(f, means.get(kind, f))
        # words already quoted for a stronger feature (the same span, or one inside it) are not quoted again
        fresh, texts = [], set()
        for s, e in x[f][1]:  # ... and the same word found twice is quoted once
            if not any(a <= s and e <= b for a, b in spans) and reply[s:e].lower() not in texts:
                fresh.append((s, e))
                texts.add(reply[s:e].lower())
        if not fresh:
            continue
        said = "in " if not parts else "; ".join(parts) + "; "
        quotes = []
        for s, e in fresh[:3]:
            quotes.append(_quote(reply[s:e], said + ", ".join(quotes) + (", " if quotes else ""),
                                 f" ({meaning})" if len(quotes) == len(fresh[:3]) - 1 else ", "))
        parts.append(", ".join(quotes) + f" ({meaning})")
        spans += x[f][1]
    p = d["learned"]
    from .catalog import pitfalls

    description = pitfalls()[pitfall].description.rstrip(".")
    message = p["message"].format(title=pitfalls()[pitfall].title.lower(),
                                  description=description[0].lower() + description[1:], evidence="; ".join(parts))
    return (sum(g for g, _ in top), message, sorted(set(spans)), "learned")


def _observation(kind: str, ident: str, title: str, hits: list, reply: str) -> Observation:
    hits = sorted((h for h in hits if h[0] > 0), key=lambda h: -h[0])  # evidence against is never shown
    spans = sorted({sp for h in hits for sp in h[2]})
    # drop spans nested inside another (a word inside a whole question already marked)
    kept: list[tuple[int, int]] = []
    for s, e in spans:
        if kept and s < kept[-1][1]:
            if e > kept[-1][1]:
                kept[-1] = (kept[-1][0], e)
            continue
        kept.append((s, e))
    messages = []
    cues = [h for h in hits if h[3] != "learned"]
    for h in cues[:2] + [h for h in hits if h[3] == "learned"]:
        m = _fmt(h[1], [reply[s:e] for s, e in h[2]], " ".join(messages))
        if m not in messages:
            messages.append(m)
    return Observation(kind, ident, title, " ".join(messages),
                       tuple(reply[s:e] for s, e in kept), tuple(kept))


# --- showing ---------------------------------------------------------------------------------

def highlight_html(reply: str, observations) -> str:
    """The reply, HTML-escaped, each triggering span in <mark> with its observation named in text."""
    marks: list[list] = []  # [start, end, [ids]]
    for o in observations:
        for s, e in o.spans:
            marks.append([s, e, [o.id]])
    marks.sort(key=lambda m: (m[0], -m[1]))
    merged: list[list] = []
    for s, e, ids in marks:
        if merged and s < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
            merged[-1][2] += [i for i in ids if i not in merged[-1][2]]
        else:
            merged.append([s, e, list(ids)])
    out, pos = [], 0
    for s, e, ids in merged:
        out.append(html.escape(reply[pos:s]))
        out.append(f"<mark>{html.escape(reply[s:e])}</mark><sup>[{html.escape(', '.join(ids))}]</sup>")
        pos = e
    out.append(html.escape(reply[pos:]))
    return "".join(out)


if __name__ == "__main__":
    import sys

    from .reader_eval import main

    sys.exit(main())
