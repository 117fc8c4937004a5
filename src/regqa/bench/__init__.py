"""Benchmark and scale curve: ``python -m regqa bench`` (see ``runner``)."""
