"""link_flood: a post with more distinct links than the member's limit."""

from __future__ import annotations

from rulekit import analysis, context, link

from groupbot.core.rulebook import Rulebook
from groupbot.core.rules.link_flood import match


def links(n: int, repeat: int = 1) -> tuple:  # type: ignore[type-arg]
    return tuple(link(f"https://s{i}.example/", f"s{i}.example") for i in range(n)) * repeat


def test_newcomers_have_the_tighter_limit() -> None:
    rb = Rulebook()
    watched, everyone = rb.rules.link_flood.max_links_watched, rb.rules.link_flood.max_links
    assert watched < everyone
    assert match(context(analysis(links=links(watched)))) is None
    finding = match(context(analysis(links=links(watched + 1))))
    assert finding is not None and finding.rule == "link_flood"
    assert finding.threshold == f"{watched + 1} links > {watched}"
    assert match(context(analysis(links=links(watched + 1)), watched=False)) is None
    assert match(context(analysis(links=links(everyone + 1)), watched=False)) is not None


def test_the_same_link_twice_is_one_link() -> None:
    limit = Rulebook().rules.link_flood.max_links_watched
    assert match(context(analysis(links=links(limit, repeat=3)))) is None


def test_the_finding_names_the_domains_once_each_and_follows_hold() -> None:
    rb = Rulebook.model_validate({"rules": {"link_flood": {"max_links_watched": 1, "hold": False}}})
    found = analysis(
        links=(link("https://a.example/1", "a.example"), link("https://a.example/2", "a.example"))
    )
    finding = match(context(found, rulebook=rb))
    assert finding is not None
    assert finding.evidence == "a.example" and not finding.hold


def test_links_to_reference_material_do_not_count() -> None:
    limit = Rulebook().rules.link_flood.max_links_watched
    docs = tuple(
        link(f"https://help.ubuntu.com/community/Page{i}", "ubuntu.com", host="help.ubuntu.com")
        for i in range(limit + 2)
    )
    assert match(context(analysis(links=docs))) is None
    finding = match(context(analysis(links=docs + links(limit + 1))))
    assert finding is not None and "ubuntu.com" not in finding.evidence
    assert finding.threshold == f"{limit + 1} links > {limit}"
