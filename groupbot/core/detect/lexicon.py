"""Calls to action, offers and schemes beyond English: ru, es, pt, de, fr cue phrases."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

import ahocorasick

from .normalize import confusable_table

__all__ = ["FAMILIES", "WEIGHTS", "foreign_signals", "has_cyrillic", "prepare_lexicon"]

# Each family is one signal (promotion.DETAILS and WEIGHTS name it).
FAMILIES: Final = (
    "job_offer",
    "pay_terms",
    "money_scheme",
    "contact_me",
    "own_offering",
    "call_to_action",
    "engagement_bait",
    "discount",
    "urgency",
    "disguised_letters",
)
# Weights of these cues: in group chat they are rarely anything but a pitch (on telegram_ru's
# train part, "write me in DM" cues: 3,032 spam, 10 ordinary messages), so most decide alone;
# an amount of money alone does not (ordinary chat quotes prices).
WEIGHTS: Final[dict[str, float]] = {
    "job_offer": 3.5,
    "pay_terms": 3.2,
    "money_scheme": 4.0,
    "contact_me": 3.2,
    "own_offering": 2.6,
    "call_to_action": 3.2,
    "engagement_bait": 4.5,
    "discount": 2.2,
    "urgency": 3.1,
    "price": 1.5,
    # Ordinary writers do not slip Latin or Greek look-alikes into Russian words; spam does, to
    # pass filters (telegram_ru's train part: 1,436 spam messages with two such words, no ham).
    "disguised_letters": 4.0,
}
# Russian cues are word starts (stems: "подработ" is подработка, подработку, подработать...);
# "=" marks a cue that must be a whole word. Read after Cyrillic folding (homoglyphs, digits
# and small capitals written as the Cyrillic letters they imitate), lower case, ё as е.
_RU: Final[dict[str, str]] = {
    "job_offer": (
        "подработ|вакан|требуются|требуется сотрудн|не по теме|"
        "рабочую схему|рабочая схема|схема заработка|белую тем|=темку|=темка|серых должност|"
        "инвайтинг|рассылку по|парсинг|обменяю|водительское удостоверение|водительские права|"
        "получением ву|получить в/у|с приятным мужчин|с приятным парн|проведу ночь|всю ночь с|"
        "в поиске людей|требуется человек|набираем|набираю|"
        "набор в команду|набор сотрудник|ищем сотрудник|ищем людей|ищем работник|ищу людей|"
        "ищу сотрудник|ищу работник|ищу помощник|ищу человека на|ищем человека|ищем ребят|"
        "ищу ребят|"
        "ищу девуш|ищем девуш|ищем курьер|ищу курьер|в поиске ребят|в поиске сотрудн|"
        "работа на дому|работа из дома|работа онлайн|удаленн работ|удаленная работ|удаленную работ|"
        "на удаленк|работа без опыта|работа для всех|есть работа|лёгкая работа|легкая работа|"
        "приглашаем на работу|приглашаем специалист|закладчик|шабашк|сотрудничеств|"
        "заработок от|заработок до|ежедневный доход|доход от|дохода от|стабильный доход|"
        "высокий доход|дополнительный доход|доп. доход|доп доход|халтур|нужны люди|нужен человек|"
        "нужны ребята|нужны работники|нужен работник|нужен сотрудник|нужны сотрудники|нужны парни|"
        "нужны девушки|нужен помощник|нужны помощники|требуются|разнорабоч|"
        "предоставим жиль|предоставим проезд|предоставим хостел|предоставим питание|заплатим|"
        "підробіт|робота для|шукаю людей|шукаємо|набираємо|заробіт|пропоную роботу|"
        "=работка|работенк|работа для|в поисках новых|ищем талантлив|требуется рабоч|"
        "несколько человек на|нужна работа?|ищешь работу|ищете работу|"
        "ищу людей|ищу человека|ищем человека|ищу ответственн|ищем ответственн|ищу надежн|"
        "ищем надежн|ищу добросовестн|ищем добросовестн|поднять бабк|поднять денег|поднять деньг|"
        "поднять капуст|поднять бабл|получить капуст|есть тема|есть дело"
    ),
    "pay_terms": (
        "заработок|заработк|зарабатыва|зарплата|=зп от|=зп до|=зп в|ставка от|=оплата|оплачиваем|"
        "платят хорошо|хорошо платят|=плачу|=заплачу|=оплачу|за несколько часов|за пару часов|"
        "на пару дней|пару часов в день|часа в день|в свободное время|совершеннолет|старше 18|"
        "лет и старше|от 18|от 20 лет|от 21 год|никаких предоплат|=дохода|=доходом|=доходы|"
        "оплата от|оплата до|"
        "оплата сразу|оплата каждый|оплата ежеднев|оплата по факту|оплата хорош|хорошая оплата|"
        "достойная оплата|оплата труда|выплаты|выплата|платим|плачу от|=доход|гибкий график|"
        "свободный график|удобный график|обучение с нуля|обучение предостав|обучим|обучу|обучаем|"
        "всему научим|всему обучим|всему обучу|без опыта|=на руки|удаленке|удаленка|"
        "трудоустройств|=за смену|занятость|=условия|хорошие условия|достойные условия|от 18 лет|"
        "от 16 лет|возраст от|опыт не требуется|опыт работы не требуется|=дохід|щоденний дохід|"
        "гарні умови|стабільну роботу|стабильную работу|стабильный заработок|достойной оплат|"
        "достойную оплат|оплаты в тот же день|оплата в тот же день|деньги сразу|без предоплат"
    ),
    "money_scheme": (
        "пассивный доход|пассивного дохода|без вложений|без вложения|быстрые деньги|легкие деньги|"
        "легкий заработок|лёгкий заработок|деньги на руки|деньги каждый день|на карту каждый|"
        "инвестиц|инвестир|криптовалют|арбитраж|трейдинг|прибыль от|прибыль до|"
        "закрыть долги|закрыть кредит|финансовую свободу|финансовая свобода|срубить|=лаве|"
        "ставки на спорт|казино|раздачи денег|раздаю деньги|безвозмездн|бесплатные звезды|"
        "бесплатные плюшки|секретный код|получит от меня подарок|депозит|обмен usdt|куплю usdt|"
        "купим usdt|продам usdt|куплю ваши|купим ваши|выгодный курс|щедрый курс|лучший курс|"
        "=ѕтагѕ|настоящие звезд|легальные звезд|халявн|халяву|=халява|=гифты|договорн матч|"
        "договорные матч|проходимост|=казик|в ставках|точный счет|с долгами|от долгов|кредит под|"
        "выдам кредит|=займ|как заработать|можно заработать|хочешь заработать|хотите заработать|"
        "возможность заработать|помогу заработать|новую тему|показали тему|подсказываю тему|"
        "нашел тему|рабочую тему|забери свои деньги|получи деньги|твои деньги"
    ),
    "contact_me": (
        "пиши в лс|пишите в лс|пиши в личк|пишите в личк|пиши в личн|пишите в личн|пиши мне|"
        "пишите мне|напиши мне|напишите мне|напиши в лс|напишите в лс|напиши в личк|"
        "напишите в личк|"
        "напиши в личн|напишите в личн|отпиши|=в лс|=в лc|в личку|в личные сообщ|в личных сообщ|"
        "жду в лс|жду в личк|жду сообщ|жду вашего сообщ|жду твоего сообщ|ожидаю вашего сообщ|"
        "за подробностями|за деталями|подробности в лс|подробнее в лс|обращайтесь|обращайся|"
        "пишите для деталей|пиши для деталей|пишите, расскажем|напишите, расскажем|"
        "=пиши|=пишите|=напиши|=напишите|=пишем|пиши плюс|пишите плюс|ставь плюс|ставьте плюс|"
        "=писать в лс|стучите в лс|стучи в лс|пишіть|напишіть|пиши в особист|в особисті|"
        "все детали лично|детали лично|подробности лично|подробности в личных|в личных|"
        "обсудим в лс|"
        "обсудим все в лс|жду тебя в лс|свяжитесь|=свяжись|для связи|стучите мне|стучи мне|"
        "ожидаю вас|=жду вас|жду тебя|жду в директ|пиши в директ|пишите в директ|писать сюда|"
        "пишите сюда|пиши сюда|за подробной информац|=контакт:|=контакты:|=связь:|по всем вопросам|"
        "подробности у|подробнее у|в приватні|отписав мне|за відповідями|=звоните|"
        "звонить по номеру|=тг:|=телеграм:|=whatsapp:"
    ),
    "own_offering": (
        "предлагаю|предлагаем|могу предложить|можем предложить|приглашаем|приглашаю|оказываю|"
        "оказываем|осуществляю|осуществляем|продаю|продаем|даю возможность|даю шанс|есть вариант|"
        "есть варик|есть предложение|отличное предложение|крутое предложение|выгодное предложение|"
        "помогаю получить|помогаем получить|интим|эскорт|познакомлюсь|хочу познакомиться|"
        "для встреч|исполню любое|готова к встреч|свободна для встреч|досуг|встречусь с|"
        "щедрым мужчин|щедрого мужчин|реальные девушки|горячие видео|горячими видео|виртик|"
        "показываю свои|сделаю все что|готовые адреса|свежие адреса|свежих адресов|=клады|=услуги|"
        "оказание услуг|предоставляю услуг|предоставляем услуг|под ключ|принимаю заказы|"
        "принимаем заказы"
    ),
    "call_to_action": (
        "подписывайся|подписывайтесь|подпишись|подпишитесь|переходи по ссылке|переходите по ссылке|"
        "жми на ссылку|жмите на ссылку|ссылка в профиле|ссылка в описании|ссылка в био|"
        "присоединяйся|присоединяйтесь|вступай в|вступайте в|заходи в наш|заходите в наш|"
        "наш канал|нашем канале|наш чат|в нашу группу|мой канал|моем канале|в моем профиле|"
        "в профиле ссылка|регистрируйся|регистрируйтесь|приєднуйся|переходь|переходи в профиль|"
        "переходите в профиль|ссылка в шапке|бесплатный канал|в закрытый канал|закрытый канал|"
        "узнай первым|=жми|=жмите|=переходи|=переходите|открой доступ|открываю доступ|"
        "=заходи|=заходите|закрытое комьюнити|закрытый клуб|описании профиля|"
        "описание профиля|в описании канала|подробности в описании|читай описание|открой описание|"
        "смотри описание|загляни в описан|зайди в профил|открой профил|загляни в профиль|"
        "загляни ко мне|зайди в мой|мой профиль|=в био|"
        "ищи в поиске|вставьте в поиск|вставь в поиск|оформи подписку|сделай пару кликов"
    ),
    "discount": (
        "скидк|=акция|розыгрыш|разыгрываю|разыгрываем|промокод|бонус за|бонусы за|"
        "бесплатный доступ|бесплатные бонус|получи бонус|приветственный бонус|бонус на депозит"
    ),
    "urgency": (
        "срочно|успей|успейте|только сегодня|ограничен|не упусти|осталось мест|пока не поздно"
    ),
}
# Spanish, Portuguese, German and French phrases, whole words, read without diacritics.
_LATIN: Final[dict[str, str]] = {
    "contact_me": (
        "escribeme|escribanme|escribeme por privado|mandame un mensaje|mandame un privado|"
        "por privado|al privado|por dm|manda dm|me escribe|chama no privado|chama no pv|"
        "me chama|me manda mensagem|manda mensagem|no privado|no pv|chama no direct|"
        "schreib mir|schreibt mir|schreiben sie mir|melde dich|meldet euch|per pn|per dm|"
        "ecris moi|ecrivez moi|ecrivez-moi|ecris-moi|contactez moi|contactez-moi|contacte moi|"
        "en prive|en mp|par mp|envoie moi un message|envoyez moi un message"
    ),
    "call_to_action": (
        "link na bio|link in bio|link en mi bio|enlace en mi bio|lien dans ma bio|"
        "link in meiner bio|visita mi|visite meu|visite minha|besucht mein|besuche mein|"
        "visitez mon|visitez ma|unete a mi|unete a nuestro|entra no meu|entre no meu|"
        "entra no grupo|entre no grupo|tritt meinem|rejoignez mon|rejoignez notre|rejoins mon|"
        "compra ahora|compre agora|jetzt kaufen|achetez maintenant|haz clic|clique aqui|"
        "klick hier|cliquez ici|mira mi canal|confira meu|schaut euch mein|regardez ma"
    ),
    "engagement_bait": (
        "suscribete|suscribanse|suscribete a mi|inscreva se|inscreva-se|se inscreva|"
        "deixe seu like|deja tu like|abonniert|abonniere|abonnez vous|abonnez-vous|abonne toi|"
        "abonne-toi|dale like|sigueme|siganme|me siga|me segue|folgt mir|"
        "suivez moi|suivez-moi"
    ),
    "money_scheme": (
        "gana dinero|ganar dinero|gane dinero|ingresos pasivos|dinero facil|ganhe dinheiro|"
        "ganhar dinheiro|renda extra|renda passiva|dinheiro facil|geld verdienen|schnelles geld|"
        "passives einkommen|gagner de l'argent|gagnez de l'argent|argent facile|revenu passif|"
        "desde casa sin|trabajo desde casa|trabalho em casa|trabalhe de casa|von zu hause aus "
        "arbeiten|travail a domicile|sin inversion|sem investimento|ohne investition|"
        "sans investissement"
    ),
    "job_offer": (
        "oferta de empleo|ofrezco trabajo|buscamos personas|vaga de emprego|oferecemos vagas|"
        "estamos contratando|wir stellen ein|nebenjob|job von zu hause|offre d'emploi|"
        "nous recrutons|on recrute"
    ),
    "discount": (
        "descuento|oferta especial|desconto|promocao|cupom|rabatt|gutschein|angebot nur|"
        "code promo|promo code|codigo promocional|gratis envio|frete gratis"
    ),
    "own_offering": (
        "mi canal|mi tienda|mi negocio|mi pagina|meu canal|minha loja|meu negocio|minha pagina|"
        "mein kanal|mein shop|meine seite|ma chaine|ma boutique|mon site|ma page|nuestra tienda|"
        "nossa loja|unser shop|notre boutique|vendo|vendemos|ofrezco|ofrecemos|ofereco|oferecemos|"
        "ich biete|wir bieten|je propose|nous proposons"
    ),
    "urgency": (
        "solo hoy|ultimas plazas|plazas limitadas|so hoje|vagas limitadas|nur heute|"
        "begrenzte platze|seulement aujourd'hui|places limitees|no te lo pierdas|nao perca"
    ),
}
# An amount with a period: "от 5000 руб в день", "3500р/смена", "15к за неделю", and the
# period first: "в день от 3500р".
_RU_PAY: Final = re.compile(
    r"\d[\d\s.,]*+\s?(?:к|k|тыс\.?|тысяч\w*|руб\w*|р\.?|₽|\$|usd|долл\w*|евро|€|грн|pln|"
    r"\[currency\])?\s?(?:(?:в|за|/)\s?(?:день|сутки|неделю|нед|месяц|мес|час|смену|вечер|ночь|"
    r"заказ|выход|пару часов|несколько часов|пару дней)|в конце (?:дня|дела|смены)|сразу|на руки|"
    r"ежедневно|каждый день)(?!\w)|"
    r"(?<!\w)(?:в|за) (?:день|смену|неделю|сутки) (?:от|до) \d[\d\s.,]*+"
    r"(?:к|k|тыс\.?|тысяч\w*|руб\w*|р\.?|₽|\$|usd|долл\w*|евро|€|грн|\[currency\])?"
)
# An amount of money: "5000 руб", "15к", "3 тысячи", "800 $", "12 900 [CURRENCY]".
_RU_AMOUNT: Final = re.compile(
    r"\d[\d\s.,]*+\s?(?:к|k|тыс\.?|тысяч\w*|руб\w*|р\.?|₽|\$|usd|долл\w*|евро|€|грн|pln|"
    r"\[currency\])(?!\w)"
)
_CYRILLIC: Final = re.compile(r"[\u0400-\u04ff]")
# Digits that stand for letters ("0плата", "разн0раб0чег0", "сроч0"): inside a word, or at its
# edge beside two letters; never in a number ("5000р", "3к" keep theirs).
_DIGITS: Final = {"0": "о", "3": "з", "6": "б"}
_DIGIT_LETTERS: Final = re.compile(
    r"(?<=[^\W\d_])[036](?=[^\W\d_])|(?<=[^\W\d_]{2})[036](?!\w)|(?<!\w)[036](?=[^\W\d_]{2})"
)
# Words spelt out letter by letter ("п.е.р.е.х.о.д.и", "с р о ч н о").
_SPELT: Final = re.compile(r"(?<!\w)(?:[^\W\d_][.*_\-]){3,}+[^\W\d_](?!\w)")
_WORD: Final = re.compile(r"\S++")
_MARKS: Final = re.compile(r"[\u0300-\u036f]")
# Look-alikes of Cyrillic letters that Unicode's confusables table leaves out.
_MORE_CYRILLIC: Final = {
    "k": "к", "m": "м", "t": "т", "u": "и", "n": "п", "z": "з", "σ": "о", "ο": "о", "α": "а",
    "ᴄ": "с", "ᴀ": "а", "ᴋ": "к", "ᴩ": "р", "ᴨ": "п", "ᴦ": "г", "ᴧ": "л", "ᴇ": "е", "ʙ": "в",
    "ᴍ": "м", "ʜ": "н", "ᴏ": "о", "ᴛ": "т", "ᴜ": "и", "ɯ": "ш", "γ": "у", "ρ": "р", "ё": "е",
    "κ": "к", "τ": "т", "ε": "е", "β": "в", "χ": "х", "ᴎ": "и", "ᴙ": "я", "ɜ": "з", "ᴢ": "з",
    "ɓ": "б", "ʏ": "у", "ᴘ": "р",
}  # fmt: skip


@lru_cache(maxsize=1)
def _cyrillic_table() -> dict[int, str]:
    """Each Latin, Greek or digit look-alike of a Cyrillic letter, mapped to that letter."""
    table: dict[int, str] = {}
    for char, targets in confusable_table().items():
        cyrillic = [t for t in targets if len(t) == 1 and "\u0400" <= t <= "\u04ff"]
        if len(char) == 1 and cyrillic and not ("\u0400" <= char <= "\u04ff"):
            table[ord(char)] = cyrillic[0].lower()
    for char, target in _MORE_CYRILLIC.items():
        if len(char) == 1:
            table[ord(char)] = target
    table.pop(ord("b"), None)  # "b" reads as "ь" there, but mostly stands for "в" (from "B")
    for digit in "0123456789":
        table.pop(ord(digit), None)  # digits are read by _DIGIT_LETTERS, inside words only
    return table


def _digit_letter(match: re.Match[str]) -> str:
    """The letter a digit written inside a word stands for."""
    return _DIGITS[match.group()]


def _fold_token(match: re.Match[str]) -> str:
    """Fold one token's look-alikes to Cyrillic when it holds Cyrillic or only look-alikes."""
    token = match.group()
    table = _cyrillic_table()
    letters = [c for c in token if c.isalpha()]
    if _CYRILLIC.search(token) or (letters and all(ord(c) in table for c in letters)):
        if any(c in _DIGITS for c in token):
            token = _DIGIT_LETTERS.sub(_digit_letter, token)
        return token.translate(table)
    return token


def has_cyrillic(text: str) -> bool:
    """Whether text holds a Cyrillic letter."""
    return not text.isascii() and _CYRILLIC.search(text) is not None


def _unspell(match: re.Match[str]) -> str:
    """A word spelt letter by letter, joined."""
    return "".join(c for c in match.group() if c.isalpha())


# The detector reads a message's Cyrillic twice (its cues, then its language): the last few
# results are kept so the second read is free.
@lru_cache(maxsize=4)
def cyrillic_fold(text: str) -> str:
    """Text as its Cyrillic reader sees it: NFKC, look-alikes made Cyrillic, lower case."""
    text = unicodedata.normalize("NFKC", text)
    if _SPELT.search(text):
        text = _SPELT.sub(_unspell, text)
    text = text.replace("B", "В").replace("H", "Н")  # capitals, before lower case loses them
    return _WORD.sub(_fold_token, text).lower().replace("ё", "е")


def _strip_marks(text: str) -> str:
    """Text without diacritics ("escríbeme" -> "escribeme")."""
    if text.isascii():
        return text
    return _MARKS.sub("", unicodedata.normalize("NFD", text))


def _automaton(entries: dict[str, str], start_only: bool) -> ahocorasick.Automaton:
    """An Aho-Corasick automaton of cue phrases, each with (family, whole word)."""
    auto = ahocorasick.Automaton()
    for family, phrases in entries.items():
        for phrase in phrases.split("|"):
            whole = phrase.startswith("=") or not start_only
            key = phrase.lstrip("=")
            auto.add_word(key, (family, whole, len(key)))
    auto.make_automaton()
    return auto


@lru_cache(maxsize=1)
def _automata() -> tuple[ahocorasick.Automaton, ahocorasick.Automaton]:
    """The Russian (word-start) and Latin-script (whole-word) automata, built on first use."""
    return _automaton(_RU, start_only=True), _automaton(_LATIN, start_only=False)


def prepare_lexicon() -> None:
    """Build the automata and the folding table now rather than on first use."""
    _automata()
    _cyrillic_table()


def _scan(auto: ahocorasick.Automaton, text: str, found: dict[str, str]) -> None:
    """Record the first cue of each family in text (cues start, and whole ones end, a word)."""
    for end, (family, whole, size) in auto.iter(text):
        if family in found:
            continue
        start = end - size + 1
        if start > 0 and text[start - 1].isalnum():
            continue
        if whole and end + 1 < len(text) and text[end + 1].isalnum():
            continue
        stop = end + 1
        while stop < len(text) and text[stop].isalnum():
            stop += 1  # quote the whole word a stem starts ("подработка", not "подработ")
        found[family] = text[start:stop]


# "ищем трудолюбивых ребят", "нужны 2 человека", "требуются водители": looking for people.
_RU_HIRING: Final = re.compile(
    r"(?<!\w)(?:ищу|ищем|нужны|нужен|нужна|нужно|требуются|требуется|набираем|набираю|в поиске|"
    r"в поисках|приглашаем)"
    r"(?:\s+[\w-]+){0,2}?\s+(?:людей|ребят|сотрудник\w*|работник\w*|девуш\w*|парн\w*|"
    r"водител\w*|курьер\w*|помощник\w*|менеджер\w*|человек\w*|желающ\w*|специалист\w*|"
    r"исполнител\w*|партнер\w*|грузчик\w*|промоутер\w*|оператор\w*|модел\w*|помощниц\w*|"
    r"участник\w*|рабоч\w*|сотрудниц\w*|администратор\w*)(?!\w)"
)


# "все детали в профиле!", "инфа в профиле": the profile as the place where the offer is, at
# the end of a sentence ("в профиле трекинга" is not a pointer).
_RU_PROFILE: Final = re.compile(
    r"(?<!\w)в (?:моем |мо[её]м )?(?:профиле|описании|био)(?=\s*+(?:[!.)]|$))"
)


# A word: letters only, so "ам4" or "ддр5" (model names) never count as disguised.
_LETTERS: Final = re.compile(r"[^\W\d_]{3,}+")
# Another alphabet's letters with Cyrillic on both sides, inside one word.
_INSIDE: Final = re.compile(r"(?<=[\u0400-\u04ff])[^\W\d_\u0400-\u04ff]++(?=[\u0400-\u04ff])")
# Latin letters that stand for Ukrainian і and ї or Serbian ј when a keyboard lacks them: how
# people write those languages, not a disguise.
_SPELLING: Final = frozenset("iIjJïÏ")


# A word counts when most of its letters are Cyrillic and another alphabet's look-alike of a
# Cyrillic letter stands between Cyrillic letters ("пρoгpyзы"); one such word is a typing slip,
# two are not. A Latin word with a Russian ending ("PRчик", "ITшники") is slang, not disguise;
# words glued to a foreign one ("удалитьService") are mostly foreign letters.
def _disguised(text: str) -> str | None:
    """Two or more Cyrillic words with look-alike letters of other alphabets slipped in, or None."""
    table = _cyrillic_table()
    found: list[str] = []
    for word in _LETTERS.findall(unicodedata.normalize("NFKC", text)):
        cyrillic = sum(1 for c in word if "\u0400" <= c <= "\u04ff")
        if cyrillic < 2 or cyrillic == len(word) or 2 * cyrillic <= len(word):
            continue
        inside = "".join(_INSIDE.findall(word))
        if any(ord(c) in table and c not in _SPELLING for c in inside):
            found.append(word)
            if len(found) == 2:
                return " ".join(found)
    return None


def foreign_signals(original: str, folded: str) -> dict[str, str]:
    """The first piece of evidence of each family (family -> evidence, in the message's words)."""
    ru_auto, latin_auto = _automata()
    found: dict[str, str] = {}
    if has_cyrillic(original):
        text = cyrillic_fold(original)
        _scan(ru_auto, text, found)
        if "job_offer" not in found and (m := _RU_HIRING.search(text)) is not None:
            found["job_offer"] = m.group()
        if "call_to_action" not in found and (m := _RU_PROFILE.search(text)) is not None:
            found["call_to_action"] = m.group()
        if "money_scheme" not in found and (m := _RU_PAY.search(text)) is not None:
            found["money_scheme"] = m.group().strip()
        if "price" not in found and (m := _RU_AMOUNT.search(text)) is not None:
            found["price"] = m.group().strip()
        if (words := _disguised(original)) is not None:
            found["disguised_letters"] = words
    if not folded.isascii() or " " in folded:
        _scan(latin_auto, _strip_marks(folded), found)
    return found
