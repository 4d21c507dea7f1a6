"""Text analysis: normalisation, segmentation, stemming, stopwords, language groups."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.analysis import (
    cjk_share,
    detect_language,
    get_analyzer,
    language_group,
    normalize,
    normalize_text,
)


def test_full_width_and_case_are_folded():
    assert normalize_text("ＡＩ医疗２０２３ Hello") == "ai医疗2023 hello"


def test_control_characters_separate_tokens():
    assert normalize_text("数据\u200b资产\x00x") == "数据 资产 x"


def test_offsets_point_back_into_the_original():
    original = "ＡＩ  Straße"
    norm = normalize(original)
    start = norm.text.index("strasse")
    assert norm.span(start, start + len("strasse")) == (4, 10)


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_normalisation_never_fails_and_offsets_stay_in_range(text):
    norm = normalize(text)
    assert len(norm.origin) == len(norm.text)
    assert all(0 <= i < max(len(text), 1) for i in norm.origin)
    composing = any(unicodedata.combining(c) or 0x1100 <= ord(c) <= 0x11FF for c in text)
    if not composing:  # per-character NFKC equals whole-string NFKC without composition
        assert norm.text == normalize_text(text)


def test_chinese_search_mode_emits_sub_words():
    words = get_analyzer().analyze("健康险产品定价与精算").words
    assert {"健康", "健康险", "定价", "精算"} <= set(words)
    assert "与" not in words  # stopword


def test_query_and_profile_without_spaces_share_terms():
    analyzer = get_analyzer()
    query = analyzer.query("商业健康保险精算定价")
    profile = analyzer.analyze("健康险产品定价与精算")
    assert {"健康", "定价", "精算"} <= set(query.words) & set(profile.words)


def test_english_is_stemmed_and_request_phrasing_dropped():
    words = get_analyzer().query("We need someone who understands catastrophe insurers and reinsurance").words
    assert words == ["catastroph", "insur", "reinsur"]


def test_request_phrasing_in_chinese_is_dropped():
    words = get_analyzer().query("区里想请推荐低空经济方面的专家").words
    assert "专家" not in words and "推荐" not in words and "区里" not in words
    assert "低空" in words


def test_bigrams_cover_cjk_runs_only():
    grams = get_analyzer().analyze("REITs申报 abc 数据").grams
    assert grams == ["申报", "数据"]


def test_taxonomy_labels_are_dictionary_words():
    assert "会计师事务所" in get_analyzer().analyze("会计师事务所合伙人").words


def test_language_detection_by_cjk_share():
    assert detect_language("深港数据跨境合规") == "zh"
    assert detect_language("Cross-border data transfer compliance") == "en"
    assert language_group(cjk_share("供应链金融科技平台 (supply-chain finance platforms)")) == "mixed"
    assert language_group(1.0) == "zh" and language_group(0.0) == "en"


def test_analyzer_version_is_stable_and_informative():
    version = get_analyzer().version
    assert version == get_analyzer().version and "jieba" in version
