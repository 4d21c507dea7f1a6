"""Evidence highlighting: marks around matched terms, everything else escaped."""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.analysis import get_analyzer
from indexer.retrieval.highlight import highlight


def marks(text: str, query: str) -> tuple[str, str]:
    q = get_analyzer().query(query)
    return highlight(get_analyzer(), text, set(q.words), set(q.grams))


def test_marks_chinese_words_in_unspaced_text():
    _, marked = marks("健康险产品定价与精算", "商业健康保险精算定价")
    assert "<mark>定价</mark>" in marked and "<mark>精算</mark>" in marked


def test_marks_original_surface_form_of_stemmed_words():
    _, marked = marks("Catastrophe reinsurance for insurers", "catastrophe insurance")
    assert "<mark>Catastrophe</mark>" in marked and "<mark>insurers</mark>" in marked


def test_markup_in_text_is_escaped():
    plain, marked = marks("<script>alert('x')</script> 区块链 & 存证", "区块链")
    assert "<script>" in plain
    assert "&lt;script&gt;" in marked and "&amp;" in marked and "<mark>区块链</mark>" in marked


def test_long_text_is_cut_around_the_matches():
    text = "无关内容。" * 200 + "这里讨论巨灾再保险。" + "其他内容。" * 200
    plain, marked = marks(text, "巨灾再保险")
    assert len(plain) < 300 and "巨灾" in plain and plain.startswith("…")
    assert "<mark>" in marked


@given(st.text(max_size=300), st.text(max_size=30))
@settings(max_examples=150, deadline=None)
def test_highlight_is_always_safe(text, query):
    plain, marked = marks(text, query)
    unmarked = marked.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in unmarked and ">" not in unmarked
    assert html.unescape(unmarked) == plain


_MIXED = st.text(alphabet=st.sampled_from(list("保险精算定价健康险巨灾再区块链存证与的和 ,.。insurance reinsurers catastrophe")), max_size=120)


@given(_MIXED, _MIXED)
@settings(max_examples=300, deadline=None)
def test_matching_tokens_are_the_filtered_token_streams(text, query):
    """Highlighting skips segmenting runs without a query word; it must mark exactly what full analysis would."""
    analyzer = get_analyzer()
    q = analyzer.query(query)
    words, grams = set(q.words) | q.folded, set(q.grams) | q.folded
    norm = text.casefold()
    expected = [t for t in analyzer.word_tokens(norm) if t.term in words]
    expected += [t for t in analyzer.gram_tokens(norm) if t.term in grams]
    assert sorted(analyzer.matching_tokens(norm, words, grams), key=lambda t: (t.start, t.end, t.term)) == sorted(
        expected, key=lambda t: (t.start, t.end, t.term))
