"""Regressions from real communities' messages (paraphrased, never copied) and other languages.

The figures on the real sets are printed by benchmarks/detection.py; these cases keep the kinds
of message they taught us about from sliding back. The non-English cases were written for the
project in the spirit of real group chat: they show the cues work, not how well (see
docs/detection.md).
"""

from __future__ import annotations

import pytest

from groupbot.core.detect import Conversation, Detector

DET = Detector(cache=False)

ANSWERS = [
    "kim: the wiki covers adding repositories https://wiki.ubuntu.com/AddingRepositoriesHowto",
    "for your first question see https://help.ubuntu.com/community/UsingTheTerminal",
    "here is my output http://paste.ubuntu.com/123456/ any idea why it fails?",
    "sounds like this bug https://bugs.launchpad.net/ubuntu/+bug/1234567",
    "@ana the re module docs explain it: https://docs.python.org/3/library/re.html",
    "tom - a walkthrough that worked for me http://example-tutorials.net/2010/05/grub-restore/",
    "Sath> http://www.example-linux-site.net/ubuntu/resetpassword",
    "is there a directory I should run the script from: <https://github.com/me/tool#install> ?",
    "http://news.example.co.uk/2/hi/technology/4754462.stm",
    "ok I'll check it out later tonight",
    "to check my system is it fine to run fsck on a mounted disk?",
    "you could type in a terminal: sudo apt-get update",
    "can you pm me the log? it's too long for the channel",
    "just search for it in synaptic, it's in universe",
    "searching for the right driver now, brb",
    "hi all, new here, I'll learn the tool and spread the word at work",
    "is there a way i can watch my cousin's stream while chatting to him in pidgin",
    "not completely sure - could you give me the exact command so I can check it?",
]
PITCHES = [
    "hi all. I just want to announce my youtube channel with video lessons "
    "http://youtube.com/user/lessonsxyz",
    "please join our new webchat http://www.chat-example.org please visit http://www.chat-example.org",
    "http://tinyurl.com/n3yjxs",
    "Subscribe to my channel for daily tips: youtube.com/@samtips",
    "WHO EVEN CALLS THIS A SONG?!? LOL. YOU HAVE LOTS TO LEARN, BUT DON'T FORGET TO SUBSCRIBE!",
    "Check out my new course at bensells.com, 50% off this week only!",
    'Search "Dj Marlo - Night Drive" thanks',
    "guys please look up MARLO BEATS, all my tracks are there",
    "love this song, just search up marlo beats for more like it",
    "The end is near and only faith saves. Spread the word.",
]


@pytest.mark.parametrize("text", ANSWERS)
def test_an_answer_or_a_shared_page_is_not_promotion(text: str) -> None:
    assert DET.analyze(text).promotional is False


@pytest.mark.parametrize("text", PITCHES)
def test_a_pitch_is_still_promotion(text: str) -> None:
    analysis = DET.analyze(text)
    assert analysis.promotional is True and analysis.reasons


def test_a_reply_turns_a_bare_link_into_conversation() -> None:
    text = "https://www.example-shop.com"
    assert DET.analyze(text).promotional is True
    assert DET.analyze(text, conversation=Conversation(reply=True)).promotional is False
    assert DET.analyze(text, conversation=Conversation(thread=True)).promotional is False


@pytest.mark.parametrize("to", ["@everyone", "@here", "@channel"])
def test_a_bare_link_to_everyone_is_still_a_drive_by(to: str) -> None:
    assert DET.analyze(f"{to} https://www.example-shop.com").promotional is True
    assert DET.analyze("@ana https://www.example-shop.com").promotional is False


def test_a_reply_does_not_excuse_a_sales_pitch() -> None:
    text = "Subscribe to my channel, 50% off my course today only!"
    assert DET.analyze(text, conversation=Conversation(reply=True, mentions=1)).promotional


RUSSIAN_SPAM = [
    "Подработка на вечер, оплата 4000 руб, пиши в лс",
    "Пoдрaботкa нa пapу чaсoв, 5000 рублей",  # Latin look-alikes inside Cyrillic words
    "Ищем ответственных ребят на склад, от 3500р в день, без опыта, обучим",
    "Устал сидеть без денег? Пишите в ЛС, помогу заработать без вложений",
    "0плата каждый день, удаленная работа с телефона, напишите мне",  # a digit for a letter
    # Written for the project, one per cue family the Telegram set showed missing.
    "Привет, есть подработка на выходные, в день от 4000р",  # a greeting and a comma
    "Грузчик - нужны двое на склад, платят хорошо",  # a heading and a dash, not an address
    "Кому интересен доход в свободное время, загляни в описание профиля",
    "Нужно 3 человека на пару дней, оплата сразу после смены",
    "Берём от 18 лет, график свободный, пишите сюда",
    "Обмен USDT на рубли, выгодный курс, без предоплаты",
    "Делюсь, как получать легальные звезды и подарки без вложений",
    "Помогу разобраться с долгами и кредитами за неделю, подробности у меня",
    "Даю точные прогнозы, проходимость 90%, в ставках без минуса",
    "Плачу 6 000 в ночь за несложную помощь на складе",
    # Latin and Greek look-alikes slipped into Russian words, to get past filters.
    "Гoтoвы пoмoчь вaм с ремонтом, звонuте cейчас",
    "Βсе κурсы по дизaйну и программированию за копейки, торопuтесь пока есть места",
]
RUSSIAN_CHAT = [
    "купил 3060 за 25к, норм цена или переплатил?",
    "у меня после обновления драйвера экран мигает",
    "а в биосе xmp включал?",
    "Доллар опять вырос, жесть",
    # Written for the project: ordinary talk with words the cues look for nearby.
    "Привет, кто-нибудь ставил такой кулер на ам4?",
    "Да, я жду зп и тогда возьму ссд побольше",
    "Ребят, а удаленно через тимвьюер можно драйвер поставить?",
    "курс рубля опять скачет, отложу покупку монитора",
    "Жду посылку, в профиле трекинга пишет что прибыла",
    "Каменщик - тяжелая профессия, уважаю",
    "у меня зарплату задержали, так что пока без апгрейда",
    # One word typed in the wrong layout is a slip; model names mix digits, not alphabets.
    "cогласен, лучше взять побольше памяти",
    "на б550 и ам4 с ддр4 всё работает",
    "как удалитьWindowsUpdate без переустановки?",
    # Latin words with Russian endings are slang; Latin i and j stand in for Ukrainian і and
    # Serbian ј on keyboards without them.
    "наши DevOpsы и QAшники опять всё уронили",
    "Звiсно, дякую! Бiльше так не буду",
    "Моjа сестра и моjе село",
]


@pytest.mark.parametrize("text", RUSSIAN_SPAM)
def test_russian_group_spam(text: str) -> None:
    analysis = DET.analyze(text)
    assert analysis.promotional is True and analysis.language == "ru"
    # The evidence is quoted in the message's own words.
    assert any(any("\u0400" <= c <= "\u04ff" for c in s.evidence) for s in analysis.reasons)


@pytest.mark.parametrize("text", RUSSIAN_CHAT)
def test_russian_chat_is_not_promotion(text: str) -> None:
    assert DET.analyze(text).promotional is False


OTHER_SPAM = [
    ("Escríbeme por privado y te cuento cómo ganar dinero desde casa", "es"),
    ("Ganhe dinheiro sem investimento, link na bio, me chama no privado", "pt"),
    ("Schreib mir, ich zeige dir, wie du schnell Geld verdienen kannst", "de"),
    ("Écrivez-moi en privé pour gagner de l'argent facilement depuis chez vous", "fr"),
]
OTHER_CHAT = [
    "¿Alguien sabe cómo configurar el proxy en la versión nueva?",
    "Alguém sabe se a atualização corrigiu o problema do wifi?",
    "Ich glaube, der Fehler kommt vom Grafiktreiber.",
    "Je pense que le problème vient du pilote, pas du noyau.",
]


@pytest.mark.parametrize(("text", "language"), OTHER_SPAM)
def test_calls_to_action_in_other_languages(text: str, language: str) -> None:
    analysis = DET.analyze(text)
    assert analysis.promotional is True
    assert analysis.language == language


@pytest.mark.parametrize("text", OTHER_CHAT)
def test_ordinary_chat_in_other_languages(text: str) -> None:
    assert DET.analyze(text).promotional is False


INTRODUCTIONS = [
    "Hi everybody, this is Layla, I lead a team of data engineers",
    "Hello all! Tomas Berg from Northwind Labs here, glad to be part of this",
    "Hey! Mira here! Met a few of you at the meetup last week, great evening",
    "Hi all, newbie here from Chile, going to learn Rust and help where I can",
    "Hola a todos, me llamo Lucía y trabajo como diseñadora",
    "Привет всем! Меня зовут Олег, я разработчик из Казани",
    "Bonjour à tous, je m'appelle Luc et je suis développeur",
    "Hi, I'm Dev. I run examplepool.net and just set up a pool: https://pool.examplepool.net",
]
NOT_INTRODUCTIONS = [
    "@jules I tagged a moderator for you, try #support too",
    "Kept getting an error from the bot, an hour later it worked",
    "Admin here, checking in.",
]


@pytest.mark.parametrize("hint", [True, False], ids=["intro channel", "elsewhere"])
@pytest.mark.parametrize("text", INTRODUCTIONS)
def test_introductions_as_people_write_them(text: str, hint: bool) -> None:
    analysis = DET.analyze(text, intro_channel=hint)
    assert analysis.introduction is True and analysis.promotional is False


@pytest.mark.parametrize("text", NOT_INTRODUCTIONS)
def test_the_intro_channel_alone_is_not_an_introduction(text: str) -> None:
    assert DET.analyze(text, intro_channel=True).introduction is False


def test_a_hello_that_invites_contact_is_still_an_introduction() -> None:
    text = (
        "Hi! Noor here, met a few of you at the meetup. If anyone needs illustrations, hit me up!"
    )
    analysis = DET.analyze(text)
    assert analysis.introduction is True and analysis.promotional is False


def test_a_hello_that_invites_contact_with_a_price_is_a_pitch() -> None:
    text = "Hi, I'm Noor, I do logos from $49, DM me for a quote"
    analysis = DET.analyze(text)
    assert analysis.promotional is True and analysis.introduction is False


def test_a_hello_wrapped_around_a_deal_is_a_pitch() -> None:
    analysis = DET.analyze("Hi, I'm Sam! 50% off my course this week only, DM me for the code")
    assert analysis.promotional is True and analysis.introduction is False


def test_a_russian_word_and_comma_is_not_an_address() -> None:
    from groupbot.core.detect.conversation import addressed

    assert addressed("Привет, пиши в лс") is False
    assert addressed("Каменщик - вахта, жилье бесплатно") is False
    assert addressed("Аня: посмотри в закрепе") is True  # the IRC way still addresses
    assert addressed("ace: see the wiki") is True


def test_russian_cue_evidence_quotes_the_whole_word() -> None:
    reasons = DET.analyze("Нужны ребята, платят хорошо, пишите сюда").reasons
    evidence = {s.signal: s.evidence for s in reasons}
    assert evidence.get("pay_terms") == "платят хорошо"
    assert "contact_me" in evidence and evidence["contact_me"] in "пишите сюда"
