"""Interface languages (Babel catalogues under ``web/locale``): English and Russian.

The language comes from ``?lang=``, then the ``cs_lang`` cookie, then Accept-Language.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations
from fastapi import Request

LOCALES = ("en", "ru")
LOCALE_DIR = Path(__file__).parent / "locale"
LANG_COOKIE = "cs_lang"


@cache
def translations(locale: str) -> NullTranslations:
    if locale == "en":
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [locale], domain="messages")


def negotiate(request: Request, default: str = "en") -> str:
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if asked in LOCALES:
        return asked
    header = request.headers.get("accept-language", "")
    preferred = [part.split(";")[0].strip().replace("-", "_") for part in header.split(",")]
    try:
        found = Locale.negotiate([p for p in preferred if p], list(LOCALES))
    except (UnknownLocaleError, ValueError):
        found = None
    return str(found.language) if found else default
