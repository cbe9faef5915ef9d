from index.sentences import sentence_spans


def pieces(text):
    return [text[s:e] for s, e in sentence_spans(text)]


def test_sentences_end_at_stops_and_paragraphs():
    assert pieces("一つ目。二つ目！\n三つ目") == ["一つ目。", "二つ目！", "三つ目"]


def test_stops_inside_brackets_do_not_end_a_sentence():
    text = "「再発見、尼崎！再発見、パワフルカンパニー！事業」を進める。次の文。"
    assert pieces(text) == ["「再発見、尼崎！再発見、パワフルカンパニー！事業」を進める。", "次の文。"]


def test_unbalanced_brackets_end_at_the_paragraph():
    assert pieces("「閉じない括弧。\n次の段落。") == ["「閉じない括弧。", "次の段落。"]


def test_blank_text_has_no_sentences():
    assert sentence_spans("  \n ") == []
