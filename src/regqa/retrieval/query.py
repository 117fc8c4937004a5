"""Analysing a question once: cleaning, task words, expansions, tokens, references, named documents, intent.

Everything downstream (retrievers, fusion, reference resolution, the composer, abstention) reads the
``AnalysedQuery``; nothing analyses the question a second time.
"""

from __future__ import annotations

from dataclasses import dataclass

from regqa.actors import question_actor
from regqa.library import Library
from regqa.normalize import normalize, strip_controls
from regqa.refs import (
    GENERIC_ALIASES,
    Reference,
    alias_table,
    mentioned_docs,
    off_scope_docs,
    parse_references,
    term_docs,
)
from regqa.retrieval.intent import Intent, question_intent
from regqa.retrieval.lexicon import Lexicon
from regqa.retrieval.tokenizer import Tokenizer

MAX_QUESTION_CHARS = 2000  # longer questions are cut (the UI says so)


class QuestionError(ValueError):
    """A question that cannot be searched (message in Chinese)."""


def clean_question(question: object) -> str:
    """Strip controls; reject empty or non-text input; cut huge input."""
    if not isinstance(question, str):
        raise QuestionError("问题必须是文字。")
    q = strip_controls(question).encode("utf-8", "ignore").decode("utf-8").strip()  # lone surrogates cannot be encoded
    if not q:
        raise QuestionError("问题是空的，请输入要查询的内容。")
    return q[:MAX_QUESTION_CHARS]


@dataclass(frozen=True)
class AnalysedQuery:
    """One question, analysed once. ``context`` holds words added for the asker's role (not asked)."""

    text: str  # the question searched (a follow-up already joined to the question it follows)
    content: str  # ``text`` without task phrasing (帮我列个提纲 …) and without the names of documents it names
    context: str  # role words added to retrieval, not part of the question
    expansions: tuple[str, ...]  # lexicon phrases the question implies (书记 → 党委主要负责人 …)
    tokens: tuple[str, ...]  # index tokens of content + context (what the lexical retrievers match)
    content_tokens: frozenset[str]  # index tokens of the question's content alone (what quotes are chosen by)
    expansion_tokens: tuple[str, ...]
    references: tuple[Reference, ...]  # 第X条 … named in the question
    asks_beyond_references: bool  # the question says more than which articles it means
    named_docs: tuple[str, ...]  # documents named (and their official interpretations)
    term_docs: tuple[str, ...]  # documents leaned to by their defining terms (not named)
    intent: Intent
    plain: bool = False  # a bare retriever (eval baseline): no expansions, priors or references
    actor: str | None = (
        None  # whom the question asks about (``regqa.actors``): its words, the asker's role, the conversation
    )
    off_scope_docs: tuple[str, ...] = ()  # one-sector documents (catalog ``scope``) the question is not about

    @property
    def dense_text(self) -> str:
        """What the encoder embeds for this question (encoded once per search)."""
        return " ".join([self.content, self.context]).strip()


class QueryAnalyser:
    """Analyses questions against one library and lexicon."""

    def __init__(self, library: Library, lexicon: Lexicon, tokenizer: Tokenizer):
        self.library = library
        self.lexicon = lexicon
        self.tokenizer = tokenizer

    def analyse(
        self,
        question: str,
        context: str = "",
        plain: bool = False,
        role_actor: str | None = None,
        previous_actor: str | None = None,
    ) -> AnalysedQuery:
        text = clean_question(question)
        infos = self.library.infos
        mentioned = [] if plain else mentioned_docs(text, infos)
        # A named document is a filter, not evidence: its title's words would lift every unit repeating them.
        content = self.without_names(self.lexicon.strip_fillers(text), mentioned)
        context = context.strip()
        searched = f"{content} {context}".strip()
        expansions = () if plain else tuple(self.lexicon.expand(searched))
        tokens = tuple(self.tokenizer.index_tokens(searched))
        references = () if plain else tuple(parse_references(text, infos))
        named: list[str] = self.with_interpretations(mentioned)
        leaned = [] if plain else [d for d in term_docs(text, infos) if d not in named]
        # The sector words may come from the lexicon's reading of the question (停电事故 → 电力安全事故).
        off_scope = [] if plain else [d for d in off_scope_docs(" ".join([text, *expansions]), infos) if d not in named]
        return AnalysedQuery(
            text=text,
            content=content,
            context=context,
            expansions=expansions,
            tokens=tokens,
            content_tokens=frozenset(self.tokenizer.index_tokens(content)),
            expansion_tokens=tuple(self.tokenizer.index_tokens(" ".join(expansions))) if expansions else (),
            references=references,
            asks_beyond_references=bool(references) and self._asks_beyond(text, references),
            named_docs=tuple(named),
            term_docs=tuple(leaned),
            intent=question_intent(searched) if not plain else Intent(()),
            plain=plain,
            actor=None if plain else question_actor(text, role_actor, previous_actor),
            off_scope_docs=tuple(off_scope),
        )

    def without_names(self, text: str, doc_ids: list[str]) -> str:
        """``text`` without the titles and names of the documents ``doc_ids`` (unchanged when nothing is left)."""
        if not doc_ids:
            return text
        out = normalize(text)
        for alias, doc_id in alias_table(self.library.infos):  # longest first
            if doc_id in doc_ids:
                out = out.replace(f"《{alias}》", " ")
                if alias not in GENERIC_ALIASES and len(alias) >= 2:
                    out = out.replace(alias, " ")
        return out if out.strip(" 《》,:;?!.，。？") else text

    def with_interpretations(self, doc_ids: list[str]) -> list[str]:
        """Named documents plus the official interpretations of them (catalog ``interprets``)."""
        extra = [
            i.doc_id for i in self.library.infos if i.interprets and i.interprets in doc_ids and i.doc_id not in doc_ids
        ]
        return [*doc_ids, *extra]

    def _asks_beyond(self, text: str, refs: tuple[Reference, ...]) -> bool:
        """Does the question ask anything beyond naming articles (and their documents)?"""
        rest = normalize(text)
        for ref in refs:
            rest = rest.replace(normalize(ref.raw), " ")
        for alias, _ in alias_table(self.library.infos):
            rest = rest.replace(alias, " ")
        return bool(self.tokenizer.tokens(self.lexicon.strip_fillers(rest)))
