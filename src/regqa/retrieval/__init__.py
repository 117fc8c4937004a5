"""Retrieval: question analysis, retrievers behind one protocol, fusion, the searcher and its index files.

Nothing here knows about answers or the app; ``regqa.services`` assembles it with the composer.
"""
