"""Registered domains from the Public Suffix List snapshot that ships with tldextract (offline)."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

__all__ = ["is_tld", "prepare_domains", "registered_domain"]


@lru_cache(maxsize=1)
def _rules() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """Load (suffixes, wildcard parents, exceptions, top-level labels) from the bundled snapshot."""
    spec = importlib.util.find_spec("tldextract")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("tldextract (which ships the Public Suffix List snapshot) is missing")
    path = Path(next(iter(spec.submodule_search_locations))) / ".tld_set_snapshot"
    suffixes: set[str] = set()
    wildcards: set[str] = set()
    exceptions: set[str] = set()
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        rule = line.split()[0].lower()
        if rule.startswith("!"):
            exceptions.add(rule[1:])
        elif rule.startswith("*."):
            wildcards.add(rule[2:])
        else:
            suffixes.add(rule)
    tlds = frozenset(s.rsplit(".", 1)[-1] for s in suffixes | wildcards)
    return frozenset(suffixes), frozenset(wildcards), frozenset(exceptions), tlds


def prepare_domains() -> None:
    """Read the Public Suffix List now rather than on the first link."""
    _rules()


def is_tld(label: str) -> bool:
    """Whether a label is a top-level domain in the Public Suffix List."""
    return label in _rules()[3]


@lru_cache(maxsize=8192)
def registered_domain(host: str) -> str:
    """Return the registered domain of a host ("www.example.co.uk" -> "example.co.uk")."""
    suffixes, wildcards, exceptions, _ = _rules()
    labels = host.strip(".").split(".")
    for i in range(len(labels)):
        candidate = ".".join(labels[i:])
        if candidate in exceptions:
            return ".".join(labels[i:])
        parent = ".".join(labels[i + 1 :])
        if candidate in suffixes or (parent and parent in wildcards):
            return ".".join(labels[i - 1 :]) if i > 0 else host
    return ".".join(labels[-2:])
