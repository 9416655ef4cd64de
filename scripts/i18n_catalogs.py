"""Write the message template (.pot) and bring each language's .po up to date with it.

Usage: scripts/i18n_catalogs.py [--check]
The English texts live in groupbot/core/i18n/messages.py; translators edit only the .po files.
New messages appear in every .po untranslated (English is used until they are translated);
a changed English text marks its translations fuzzy for review.
"""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from groupbot.core.i18n import LANGUAGES, MESSAGES

LOCALES = Path(__file__).resolve().parent.parent / "groupbot" / "core" / "i18n" / "locales"
# A fixed date keeps the files stable from run to run; git knows when they changed.
STAMP = datetime(2026, 1, 1, tzinfo=UTC)
OPTIONS = {"width": 100, "omit_header": False, "sort_output": False, "no_location": True}


def template() -> Catalog:
    """The catalog of every message, keyed by msgctxt, English as msgid."""
    pot = Catalog(
        project="groupbot", domain="groupbot", fuzzy=False, creation_date=STAMP, revision_date=STAMP
    )
    for key, english in MESSAGES.items():
        pot.add(english, context=key)
    return pot


def render(catalog: Catalog) -> str:
    """A catalog as .po text."""
    catalog.creation_date = STAMP
    out = io.BytesIO()
    write_po(out, catalog, **OPTIONS)  # type: ignore[arg-type]
    return out.getvalue().decode()


def wanted() -> dict[Path, str]:
    """What the .pot and every .po should contain now."""
    files = {LOCALES / "groupbot.pot": render(template())}
    for language in LANGUAGES:
        if language == "en":
            continue
        path = LOCALES / language / "LC_MESSAGES" / "groupbot.po"
        with path.open("rb") as fh:
            po = read_po(fh, locale=language, domain="groupbot")
        po.update(template())
        po.obsolete.clear()
        files[path] = render(po)
    return files


def main(argv: list[str]) -> int:
    """Write the catalogs, or with --check fail if any is out of date."""
    stale = [p for p, text in wanted().items() if not p.exists() or p.read_text() != text]
    if "--check" in argv:
        for path in stale:
            print(f"{path}: out of date; run scripts/i18n_catalogs.py", file=sys.stderr)
        return 1 if stale else 0
    for path, text in wanted().items():
        path.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
