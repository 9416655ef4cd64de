"""Registered domains from the Public Suffix List that publicsuffixlist bundles (offline)."""

from __future__ import annotations

from functools import lru_cache

from publicsuffixlist import PublicSuffixList

__all__ = ["is_tld", "prepare_domains", "registered_domain"]


@lru_cache(maxsize=1)
def _list() -> PublicSuffixList:
    """The bundled list (ICANN and private suffixes: "github.io" names its users' sites)."""
    return PublicSuffixList()


def prepare_domains() -> None:
    """Read the Public Suffix List now rather than on the first link."""
    _list()


@lru_cache(maxsize=4096)
def is_tld(label: str) -> bool:
    """Whether a label is a top-level domain in the Public Suffix List."""
    return "." not in label and _list().publicsuffix(label, accept_unknown=False) is not None


@lru_cache(maxsize=8192)
def registered_domain(host: str) -> str:
    """Return the registered domain of a host ("www.example.co.uk" -> "example.co.uk")."""
    host = host.strip(".")
    found = _list().privatesuffix(host, accept_unknown=False)
    if found is not None:
        return str(found)
    if _list().publicsuffix(host, accept_unknown=False) == host:
        return host  # a public suffix itself ("co.uk", "github.io")
    return ".".join(host.split(".")[-2:])  # an unknown top-level label: its last two labels
