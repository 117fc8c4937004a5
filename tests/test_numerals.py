import pytest

from regqa.numerals import article_label, cn_to_int, format_ranges, int_to_cn


@pytest.mark.parametrize(
    "text, value",
    [
        ("一", 1),
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("二十九", 29),
        ("一百", 100),
        ("一百零六", 106),
        ("一百一十", 110),
        ("一百一十九", 119),
        ("一百二十", 120),
        ("二百零一", 201),
        ("一千零一", 1001),
        ("两百", 200),
        ("9", 9),
    ],
)
def test_cn_to_int(text, value):
    assert cn_to_int(text) == value


def test_round_trip_every_article_number():
    for n in range(1, 2000):
        assert cn_to_int(int_to_cn(n)) == n


def test_int_to_cn_writes_statute_forms():
    assert [int_to_cn(n) for n in (10, 14, 20, 106, 110, 119)] == [
        "十",
        "十四",
        "二十",
        "一百零六",
        "一百一十",
        "一百一十九",
    ]
    assert article_label(106) == "第一百零六条"


@pytest.mark.parametrize("bad", ["", "第", "abc", "十x"])
def test_cn_to_int_rejects_non_numerals(bad):
    with pytest.raises(ValueError):
        cn_to_int(bad)


def test_format_ranges():
    assert format_ranges([1, 2, 3, 22, 23, 24, 25, 26, 27, 28, 29]) == "第一–三条、第二十二–二十九条"
    assert format_ranges([5]) == "第五条"
