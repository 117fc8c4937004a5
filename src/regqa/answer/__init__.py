"""Grounded, extractive answers with verified article citations (``python -m regqa ask``)."""

from regqa.answer.compose import Answer, Citation, answer_question

__all__ = ["Answer", "Citation", "answer_question"]
