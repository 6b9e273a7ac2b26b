"""Words in petition titles, for the rising-words trend and the similar-case
search: segmented with jieba (``cut_for_search``, so 供暖温度 also counts as
供暖), minus stop words, numbers and single characters. jieba loads its dictionary (~0.7 s) once, when
the service starts (``ready``), not in a worker."""
import logging
import re

import jieba

# Words that say nothing about what a petition is about.
STOP_WORDS = frozenset("""
关于 问题 反映 要求 请求 希望 投诉 举报 咨询 建议 申请 情况 事项 相关 有关 进行 没有 不能 不予
一直 多次 长期 至今 已经 还是 仍然 我们 他们 我家 本人 自己 这个 那个 什么 如何 怎么 为什么 是否
以及 及其 或者 并且 而且 但是 因为 所以 如果 一个 一些 出现 存在 造成 导致 解决 处理 尽快 及时
""".split())
_NOT_A_WORD = re.compile(r"^[\W\d_a-zA-Z]+$")

_ready = False


def ready():
    """Load jieba's dictionary now (at service start) rather than in the first
    worker that segments a title."""
    global _ready
    if not _ready:
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _ready = True


def words_of(text):
    """The distinct words of a text worth counting or searching for, in the
    order they first appear."""
    ready()
    return list(dict.fromkeys(w for w in jieba.cut_for_search(text or "")
                              if len(w) >= 2 and w not in STOP_WORDS
                              and not _NOT_A_WORD.match(w)))


def title_words(title):
    """The distinct words of a title worth counting."""
    return sorted(words_of(title))
