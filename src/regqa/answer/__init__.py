"""Grounded, extractive answers with verified article citations (``python -m regqa ask``).

``compose`` turns a search outcome into typed blocks (``blocks``), ``abstain`` judges whether the
corpus answers at all, ``conversation`` reads follow-ups, ``config`` names every number used.
"""
