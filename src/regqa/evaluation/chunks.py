"""The generic-RAG baseline: fixed 300-character chunks with overlap, same encoder, mapped back to units."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from regqa.records import Document, Unit

CHUNK_CHARS = 300
OVERLAP = 60


@dataclass
class ChunkIndex:
    chunk_units: list[list[int]]  # unit indices each chunk overlaps, most-covered first
    vectors: np.ndarray


def make_chunks(
    documents: list[Document], units: list[Unit], size: int = CHUNK_CHARS, overlap: int = OVERLAP
) -> tuple[list[str], list[list[int]]]:
    """Split each document's body into fixed windows, ignoring structure, as generic RAG stacks do."""
    pos = {u.unit_id: i for i, u in enumerate(units)}
    texts, owners = [], []
    for doc in documents:
        body, spans = "", []
        for u in doc.units:
            start = len(body)
            body += u.text + "\n"
            spans.append((start, len(body), pos[u.unit_id]))
        step = max(1, size - overlap)
        for start in range(0, max(1, len(body) - overlap), step):
            end = min(len(body), start + size)
            cover = sorted(
                ((min(e, end) - max(s, start), i) for s, e, i in spans if s < end and e > start), reverse=True
            )
            texts.append(body[start:end])
            owners.append([i for _, i in cover])
    return texts, owners


def build_chunk_index(documents, units, encoder) -> ChunkIndex:
    texts, owners = make_chunks(documents, units)
    return ChunkIndex(owners, encoder.encode(texts))


def chunk_search(index: ChunkIndex, encoder, units: list[Unit], question: str, top_k: int = 5) -> list[Unit]:
    q = encoder.encode_query([question])[0]
    order = np.argsort(-(index.vectors @ q))
    out: list[int] = []
    for c in order:
        for i in index.chunk_units[c][:1]:
            if i not in out:
                out.append(i)
        if len(out) >= top_k:
            break
    return [units[i] for i in out]
