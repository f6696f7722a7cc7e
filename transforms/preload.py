"""Imported by the extraction pool's fork server (`transforms.pool.PRELOAD`): fills the caches every
worker would otherwise fill on its own first pages, so workers forked from the server start warm.

trafilatura, htmldate (strict search: it never reaches dateparser) and the language model keep
caches that the first page fills; forked workers share them copy-on-write. Nothing here starts
threads or loads the ONNX topic model, so the fork stays safe; each worker loads that model itself
(`transforms.page.warm_worker`).
"""

from __future__ import annotations


def fill_caches() -> None:
    from transforms.extract import extract_article
    from transforms.language import identify
    from transforms.page import WARM_PAGE

    extract_article(WARM_PAGE, "https://warm.invalid/up")
    identify("The council met on Monday to discuss the harbour flood defences.")


fill_caches()
