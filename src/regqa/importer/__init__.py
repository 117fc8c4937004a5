"""Adding official documents to the corpus: read any common format, normalise, check, rebuild.

Public API: ``import_file`` (one command: read → normalise → report → atomic write → rebuild),
``prepare`` (the same without writing), ``ImportFailed`` (Chinese message), ``format_report``.
"""

from __future__ import annotations

from .readers import KINDS, MAX_FILE_BYTES, ImportFailed, read_source
from .report import StructureReport, format_report
from .safety import check_doc_id, imports_dir, store_upload
from .service import ImportResult, Prepared, import_file, prepare

__all__ = [
    "KINDS", "MAX_FILE_BYTES", "ImportFailed", "ImportResult", "Prepared", "StructureReport",
    "check_doc_id", "format_report", "import_file", "imports_dir", "prepare", "read_source", "store_upload",
]
