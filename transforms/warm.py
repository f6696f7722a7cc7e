"""Imported by the extraction pool's fork server (`transforms.batch`): fills the caches every worker
would otherwise fill on its own first pages, so workers forked from the server start warm.

htmldate's fallback date parser (dateparser) compiles a few thousand regular expressions, one set per
locale, the first time a date string reaches it (seconds of CPU); trafilatura, htmldate and the
language model keep further caches. Forked workers share all of it copy-on-write. Nothing here starts
threads or loads the ONNX topic model, so the fork stays safe.
"""

from __future__ import annotations

import warnings

from dateutil.parser import UnknownTimezoneWarning

_DATES = (
    "Published on Tuesday, 17 November 2026", "17. November 2026, 10:30 Uhr", "17 de noviembre de 2026",
    "17 novembre 2026", "17 listopada 2026", "17 ноября 2026 года", "17 Νοεμβρίου 2026", "2026年11月17日",
    "17 novembro de 2026", "17 November 2026 13:05 CST",
)


def warm() -> None:
    from htmldate.extractors import _external_date

    from transforms.extract import extract_article
    from transforms.language import identify

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownTimezoneWarning)
        for text in _DATES:
            try:
                _external_date(text)
            except Exception:  # noqa: BLE001 - warming only
                pass
        from transforms.batch import _WARM_PAGE

        extract_article(_WARM_PAGE, "https://warm.invalid/up")
        identify("The council met on Monday to discuss the harbour flood defences.")


warm()
