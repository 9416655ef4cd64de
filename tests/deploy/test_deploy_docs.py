"""The install docs: from the repository or the image, and Slack over HTTP behind real HTTPS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from deployfiles import ROOT

DOCS = [ROOT / "README.md", ROOT / "docs" / "slack.md", ROOT / "docs" / "discord.md"]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_no_doc_installs_groupbot_from_an_index(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    assert not re.search(r"pip install (-U )?groupbot\b", text)


@pytest.mark.parametrize("doc", DOCS[1:], ids=lambda p: p.name)
def test_the_platform_docs_install_from_the_lock_or_the_image(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    assert "pip install --require-hashes -r requirements/runtime.txt" in text
    assert "docker build -f deploy/Dockerfile" in text
    assert "groupbot db upgrade" in text
    assert (ROOT / "requirements" / "runtime.txt").is_file()


def test_slack_over_http_explains_https_a_tunnel_and_re_verifying() -> None:
    text = (ROOT / "docs" / "slack.md").read_text(encoding="utf-8")
    section = text[text.index("## A public HTTPS URL") : text.index("## 2b.")]
    assert "reverse_proxy 127.0.0.1:3000" in section
    assert "cloudflared tunnel --url http://localhost:3000" in section
    assert "url_verification" in section and "**Retry**" in section
