"""Small hand-written stopword lists for Chinese and English.

They remove the words policy researchers use to *phrase a request* (想请,
推荐, 专家, need someone who ...) plus grammatical glue, so BM25 weighs the
topic words. They stay short on purpose: content words such as 政策 or
"design" are left to IDF, because removing them would hide real topics.
"""

from __future__ import annotations


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


CHINESE_STOPWORDS: frozenset[str] = _words(
    """
    的 地 得 了 着 过 和 与 及 以及 或 或者 并 并且 而 而且 等 等等 之 其 其中 这 那 这些 那些 这个 那个
    在 是 为 为了 对 对于 把 被 从 向 以 于 由 用 将 让 给 跟 同 就 也 都 还 又 再 很 更 最 已 已经
    吗 呢 吧 啊 呀 嘛 么 哦 个 些 种 一 一些 一下 一个 有 没有 能 能够 可以 可能 要 需要 需 想 想要
    想请 想找 想了解 想听听 请 请问 麻烦 推荐 介绍 找 找到 寻找 懂 懂得 了解 知道 熟悉 听听 听 问 帮 帮忙
    我 我们 你 你们 他 她 他们 它 咱们 大家 谁 什么 怎么 怎么样 怎样 如何 哪些 哪个 哪 有哪些 为何 为什么
    方面 相关 有关 关于 问题 情况 事情 方向 领域 专家 人才 人士 人员 学者 老师 的人 人 谁能 区里 区内 我区
    希望 准备 打算 计划 正在 目前 现在 看看 意见 建议 座谈 咨询 支持 提供 注意 比较 进行 开展 做 搞 弄
    """
)

ENGLISH_STOPWORDS: frozenset[str] = _words(
    """
    a an the and or nor but if then else of to in on at by for with from into onto over under about
    as is are was were be been being am do does did doing have has had having it its it's this that
    these those there here such so than too very can could should would will shall may might must
    i me my we us our you your he him his she her they them their who whom whose which what when
    where why how all any both each few more most other some no not only own same just also
    need needs needed want wants wanted looking look find finding someone somebody anyone person
    people expert experts expertise specialist specialists who understands understand understanding
    know knows knowledge help please recommend recommendation like suggest
    """
)


def is_stopword(term: str) -> bool:
    """True for a (normalised, unstemmed) word in either stopword list."""
    return term in CHINESE_STOPWORDS or term in ENGLISH_STOPWORDS
