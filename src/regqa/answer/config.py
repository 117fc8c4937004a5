"""Every number the answer path uses, named and documented in one place (``eval --tune`` varies them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AnswerConfig:
    """How answers are composed. The defaults were chosen on the main evaluation set."""

    top_k: int = 8  # units searched for an answer (the first is quoted; the rest feed 另见 and 相关条文)
    max_primary: int = 3  # explicitly named articles quoted at most
    related: int = 3  # 相关条文 listed under the answer
    # A unit from another document is quoted as well (另见) when, among the next ``second_window`` hits,
    # it covers at least ``second_min_overlap`` of the question's words and ``second_ratio`` of what
    # the first unit covers (e.g. the law and the regulation on reporting an accident).
    second_window: int = 3
    second_min_overlap: float = 0.45
    second_ratio: float = 0.9
    # Choosing the sentence of the conclusion: query-word overlap plus these credits.
    sentence_intent_bonus: float = 0.2  # per kind of answer asked for that the sentence carries
    sentence_number_bonus: float = 0.3  # a figure, when a deadline, amount or threshold is asked for
    # Choosing the 款 to quote.
    whole_unit_chars: int = 220  # a unit this short is quoted whole
    also_relevant: float = 0.6  # another 款 scoring at least this share of the best one is quoted too
    max_paragraphs: int = 3
    paragraph_items_bonus: float = 0.3  # a 款 with 项, when a list or a threshold is asked for
    paragraph_intent_bonus: float = 0.15  # per other kind of answer asked for that the 款 carries
    # Follow-ups ("那乡镇呢？"): a question this short that starts like 那… or ends in 呢 is read
    # together with the previous question; one this short is always read so.
    followup_max_chars: int = 20
    followup_bare_chars: int = 4
