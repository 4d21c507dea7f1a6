"""Key terms of a topic: jieba words and English words, weighted by c-TF-IDF.

A topic is named by the terms that are frequent in its passages and rare in
the others' (class-based TF-IDF, as BERTopic labels its clusters): "研究"
or "research" is frequent everywhere and names nothing. Chinese and English
terms are ranked separately so that each language gets its own label; a
topic whose passages are all in one language gets the other label from the
taxonomy (``topics``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z\-]+[A-Za-z]")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Words that fill sentences of any profile and so name no topic.
ZH_STOP = _words("""
研究 方向 主要 相关 以及 进行 通过 对于 基于 我们 一个 一种 提出 方面 工作 发展 问题 应用 技术 方法 领域 分析
负责 参与 主持 担任 项目 成果 经验 长期 从事 开展 建设 推动 服务 实践 能力 企业 公司 中心 重点 国家 多项 曾任
有限公司 公司 深圳 深圳市 罗湖 罗湖区 中国 国家知识产权局 大学 学院 研究院 研究所 期刊 学报 及其 其中 目前 以上 一等奖 二等奖
""")
EN_STOP = _words("""
the and for with from that this into over under its their our are was were been has have had not but also than
then such these those using use used based via per about across between within among research study studies work
works paper papers project projects analysis approach method methods new results result field fields
development application applications system systems model models first two three one more most can may
shenzhen china chinese university journal ltd co inc institute press vol
""")


def zh_terms(text: str) -> list[str]:
    """Chinese words of two or more characters, stop words left out."""
    import jieba

    out: list[str] = []
    for run in _CJK_RUN.findall(text):
        out += [w for w in jieba.lcut(run) if len(w) >= 2 and w not in ZH_STOP]
    return out


def en_terms(text: str) -> list[str]:
    """Lower-cased English words of three or more letters, stop words left out."""
    return [w for w in (m.lower() for m in _LATIN_WORD.findall(text)) if w not in EN_STOP]


def ctfidf(classes: Sequence[Counter[str]], top: int = 8) -> list[list[str]]:
    """The ``top`` terms of each class by c-TF-IDF: ``tf(t, c) / |c| · log(1 + A / f(t))``.

    ``A`` is the average number of terms per class and ``f(t)`` the term's
    frequency over all classes. Ties break by the term itself, so labels are
    deterministic.
    """
    overall: Counter[str] = Counter()
    for c in classes:
        overall.update(c)
    sizes = [sum(c.values()) for c in classes]
    average = (sum(sizes) / len(classes)) if classes else 0.0
    out: list[list[str]] = []
    for c, size in zip(classes, sizes, strict=True):
        if not size:
            out.append([])
            continue
        weights = {t: (n / size) * math.log(1.0 + average / overall[t]) for t, n in c.items() if n >= 2 or size < 40}
        out.append([t for t, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:top]])
    return out


def count_terms(texts: Iterable[str]) -> tuple[Counter[str], Counter[str]]:
    """Chinese and English term counts over ``texts``."""
    zh: Counter[str] = Counter()
    en: Counter[str] = Counter()
    for text in texts:
        zh.update(zh_terms(text))
        en.update(en_terms(text))
    return zh, en
