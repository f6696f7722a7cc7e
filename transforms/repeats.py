"""A second copy of the article inside the extracted text.

Some pages carry the story twice: a print or mobile rendering below the web one, the text again
under a gallery, a hard-wrapped copy (one line a paragraph) of the same paragraphs. The extractor
keeps both, which halves precision and doubles whatever a reader counts. The later copy goes.

A copy is a run of consecutive paragraphs each found word for word (case and spacing aside) in the
text before the run, as a whole paragraph or a piece of one, and at least half as long as that text.
Shorter repeats stay: a recipe or a schedule repeats its own lines ("Eat every 2-3 hours") on
purpose, a chart label repeats a heading, a quote pulled out repeats a sentence.
"""

from __future__ import annotations

from transforms.language import tokens

MIN_COPY_SHARE = 0.5  # of the tokens before the run
MIN_COPY_TOKENS = 50  # a shorter repeated block is more often a list or schedule repeating itself


def repeated_runs(paragraphs: list[str]) -> list[int]:
    """Indexes of the paragraphs that make up later copies of the text before them."""
    normalized = [" ".join(p.split()).lower() for p in paragraphs]
    text = " ".join(normalized)
    ends = []  # where each paragraph ends in `text`
    for n in normalized:
        ends.append((ends[-1] + 1 if ends else 0) + len(n))
    counts = [len(tokens(p)) for p in paragraphs]
    preceding = [0]  # tokens before each paragraph
    for count in counts:
        preceding.append(preceding[-1] + count)
    copies: list[int] = []
    i = 0
    while i < len(paragraphs):
        before = ends[i - 1] if i else 0
        j = i
        while j < len(paragraphs) and normalized[j] and text.find(normalized[j], 0, before) >= 0:
            j += 1
        run = preceding[j] - preceding[i]
        if j > i and run >= MIN_COPY_TOKENS and run >= MIN_COPY_SHARE * preceding[i]:
            copies.extend(range(i, j))
            i = j
        else:
            i += 1
    return copies
