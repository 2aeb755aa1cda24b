from __future__ import annotations

from xinfang.routing.text import classifier_tokens, jaccard, stopwords, unsegment, word_set


def test_segmented_and_raw_text_give_the_same_words():
    raw = "小区物业乱收停车费，业主多次反映没有结果。"
    segmented = "小区 物业 乱收 停车费 业主 多次 反映 结果"
    assert classifier_tokens(raw) == classifier_tokens(segmented)


def test_stop_words_and_punctuation_are_dropped():
    tokens = classifier_tokens("我们的小区，没有路灯！")
    assert "的" in stopwords()
    assert "的" not in tokens
    assert "，" not in tokens
    assert "！" not in tokens
    assert "路灯" in tokens


def test_excel_carriage_returns_and_segmentation_spaces_are_removed():
    assert unsegment("尊敬的 领导：_x000D_ 您好") == "尊敬的领导：您好"
    assert unsegment("C6915 城铁") == "C6915城铁"


def test_jaccard_of_word_sets():
    a, b = word_set("小区 停车 收费"), word_set("小区 停车 物业")
    assert jaccard(a, b) == 0.5
    assert jaccard(a, frozenset()) == 0.0
