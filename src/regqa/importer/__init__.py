"""Adding official documents to the corpus: read any common format, normalise, check, rebuild.

Public API: ``import_file`` (one command: read → normalise → report → atomic write → rebuild),
``import_batch`` (many files or a law-library folder: check each, write the good ones, rebuild once),
``prepare`` (the same without writing), ``ImportFailed`` (Chinese message), ``format_report``.
"""

from __future__ import annotations

from .batch import BatchResult, FileOutcome, collect_files, import_batch, read_ids
from .readers import KINDS, MAX_FILE_BYTES, ImportFailed, read_source
from .report import StructureReport, format_report
from .safety import check_doc_id, imports_dir, store_upload
from .service import ImportResult, Prepared, import_file, prepare

__all__ = [
    "KINDS",
    "MAX_FILE_BYTES",
    "BatchResult",
    "FileOutcome",
    "ImportFailed",
    "ImportResult",
    "Prepared",
    "StructureReport",
    "check_doc_id",
    "collect_files",
    "format_report",
    "import_batch",
    "import_file",
    "imports_dir",
    "prepare",
    "read_ids",
    "read_source",
    "store_upload",
]
