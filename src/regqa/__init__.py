"""regqa: Chinese Q&A over work-safety regulations, with cited articles."""

from __future__ import annotations

__version__ = "0.1.0"
