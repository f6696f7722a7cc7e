"""An article its template split into sibling blocks around an ad is read to its end."""

from transforms.extract import extract_article

FIRST = [
    "The regional water board approved a plan on Monday to replace the ageing pipes under the old "
    "town, a project engineers have urged for more than a decade.",
    "Work will start in March on the streets around the market square, where bursts have flooded "
    "cellars three times since the spring.",
    "The board expects the first phase to cost about four million euros, most of it covered by a "
    "grant from the national infrastructure fund.",
]
SECOND = [
    "Shopkeepers on the square asked the board to keep at least one lane open during the works, "
    "and the chief engineer promised to phase the digging street by street.",
    "A second phase, covering the harbour district, is planned for the following year if the "
    "grant is renewed by the national fund.",
    "Residents can follow the works on a map the board will publish before the first street closes.",
    "The old pipes, laid in cast iron before the war, have been patched so often that the board "
    "no longer keeps count of the repairs, according to its own annual report.",
    "Engineers said modern plastic mains would last at least eighty years and lose far less water "
    "to leaks, which now account for almost a fifth of what the board pumps.",
]
COMMENTS = [
    "pipewatcher: Finally! My cellar has been flooded twice this year and nobody cared at all.",
    "anna_k: Who is going to pay for the damage already done? Not a word about that in this plan.",
]


def _chunk(paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<div class="chunk"><div class="article__body">{body}</div><div class="rail"></div></div>'
    )


def _page(*blocks: str) -> bytes:
    return (
        "<html><head><title>Water board approves pipe plan</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/local'>Local</a></nav>"
        "<article><h1>Water board approves pipe plan</h1>"
        f"<div class='chunks'>{''.join(blocks)}</div></article>"
        "<footer>© The Valley Courier</footer></body></html>"
    ).encode()


def test_the_block_after_an_ad_is_read_too():
    # trafilatura takes the first block of the article's class (long enough for its own reading to
    # stand); readability takes the longer second one.
    first = [f"{p} ({k})" for k, p in enumerate(FIRST * 6)]
    second = [f"{p} [{k}]" for k, p in enumerate(SECOND * 9)]
    ad = '<div class="ad-row">Advertisement</div>'
    ex = extract_article(_page(_chunk(first), ad, _chunk(second)), "https://courier.test/pipes")
    assert ex is not None
    assert ex.paragraphs[-len(first + second) :] == first + second


def test_a_block_of_the_same_class_that_readability_leaves_out_is_not_added():
    ex = extract_article(_page(_chunk(FIRST), _chunk(COMMENTS)), "https://courier.test/pipes")
    assert ex is not None
    assert ex.paragraphs[-len(FIRST) :] == FIRST
    assert not any("pipewatcher" in p or "anna_k" in p for p in ex.paragraphs)
