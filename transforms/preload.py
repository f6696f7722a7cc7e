"""Imported by the extraction pool's fork server (`transforms.batch`): fills the caches every worker
would otherwise fill on its own first pages, so workers forked from the server start warm.

trafilatura, htmldate (strict search: it never reaches dateparser) and the language model keep
caches that the first page fills; forked workers share them copy-on-write. Nothing here starts
threads or loads the ONNX topic model, so the fork stays safe.
"""

from __future__ import annotations


def warm() -> None:
    from transforms.batch import _WARM_PAGE
    from transforms.extract import extract_article
    from transforms.language import identify

    extract_article(_WARM_PAGE, "https://warm.invalid/up")
    identify("The council met on Monday to discuss the harbour flood defences.")


warm()
