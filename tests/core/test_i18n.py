"""The message catalogs: complete, placeholder-faithful, current, and used by language."""

from __future__ import annotations

import string
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from groupbot.core.i18n import LANGUAGES, MESSAGES, catalog, message, say
from groupbot.core.rulebook import Rulebook, RulebookError, parse_rulebook
from groupbot.core.texts import batch_welcome_text, note_text, welcome_text

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]


def placeholders(template: str) -> set[str]:
    """The {names} a template uses."""
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def entries(language: str) -> dict[str, tuple[str, str, bool]]:
    """Each catalog entry by msgctxt: (msgid, msgstr, fuzzy)."""
    source = files("groupbot.core.i18n").joinpath("locales", language, "LC_MESSAGES", "groupbot.po")
    with source.open("rb") as fh:
        po = read_po(fh, locale=language)
    return {str(m.context): (str(m.id), str(m.string), m.fuzzy) for m in po if m.id}


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_catalog_translates_every_message_with_the_same_placeholders(
    language: str,
) -> None:
    found = entries(language)
    assert sorted(found) == sorted(MESSAGES), f"{language}: catalog keys differ from messages.py"
    for key, english in MESSAGES.items():
        msgid, text, fuzzy = found[key]
        assert msgid == english, f"{language} {key}: translated from an older English text"
        assert text.strip() and not fuzzy, f"{language} {key}: not translated"
        assert placeholders(text) == placeholders(english), f"{language} {key}: placeholders"
        assert text != english, f"{language} {key}: still the English text"


def test_the_template_and_catalogs_are_up_to_date() -> None:
    done = subprocess.run(
        [sys.executable, "scripts/i18n_catalogs.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_english_is_the_source_and_needs_no_catalog() -> None:
    assert catalog("en") is MESSAGES
    assert message("en", "notes.how_to_ask") == MESSAGES["notes.how_to_ask"]
    assert say("en", "notes.how_held", request=4).startswith(
        "I've held the post for now and passed it to the owners as request #4;"
    )


def test_the_language_setting_accepts_only_the_supported_codes() -> None:
    assert Rulebook().community.language == "en"
    for language in LANGUAGES:
        assert parse_rulebook(f'[community]\nlanguage = "{language}"\n').community.language == (
            language
        )
    with pytest.raises(RulebookError) as err:
        parse_rulebook('[community]\nlanguage = "it"\n')
    assert "community.language" in str(err.value)
    assert "'en'" in str(err.value) and "'ru'" in str(err.value)


def spanish(extra: str = "") -> Rulebook:
    return parse_rulebook('[community]\nlanguage = "es"\n' + extra)


def test_default_texts_come_out_in_the_community_language() -> None:
    rb = spanish()
    welcome = welcome_text(rb, "Cocina", "Ana")
    assert welcome.startswith("¡Hola, Ana! Te damos la bienvenida a Cocina")
    assert "#introductions" in welcome
    assert "• Preséntate en el canal de presentaciones" in welcome
    batch = batch_welcome_text(rb, "Cocina", ["Ana", "Luis", "Marta"])
    assert batch.startswith("¡Ana, Luis y Marta, les damos la bienvenida a Cocina!")
    note = note_text(rb, "Cocina", "Ana", "compra ya", ["uno", "dos"], 7)
    assert "Me he fijado en que uno; y además dos." in note
    assert "solicitud #7" in note
    assert "/share" in note


def test_owner_written_texts_and_norms_are_sent_as_written() -> None:
    rb = spanish(
        '\nnorms = ["Sé amable."]\n[welcome]\ntext = "Buenas, {name}."\n'
        '[notes]\ntext = "Ojo, {name}: {why}"\n'
    )
    assert welcome_text(rb, "Cocina", "Ana") == "Buenas, Ana."
    assert batch_welcome_text(rb, "Cocina", ["Ana"]).endswith(
        "• Sé amable.\n\nTenemos muchas ganas de conocerlos."
    )
    assert (
        note_text(rb, "Cocina", "Ana", "x", ["uno"], None) == "Ojo, Ana: Me he fijado en que uno."
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_language_renders_every_default_text(language: str) -> None:
    rb = parse_rulebook(f'[community]\nlanguage = "{language}"\n')
    texts = [
        welcome_text(rb, "Acme", "Ana"),
        batch_welcome_text(rb, "Acme", ["Ana", "Bo"]),
        note_text(rb, "Acme", "Ana", "buy", ["x"], 3),
        note_text(rb, "Acme", "Ana", "buy", ["x"], None),
    ]
    english = Rulebook()
    assert texts[0] != welcome_text(english, "Acme", "Ana")
    assert all("{" not in t for t in texts)
    assert "Acme" in texts[0] and "Ana" in texts[0] and "Bo" in texts[1]
