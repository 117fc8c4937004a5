#!/usr/bin/env bash
# Re-import the work-safety legal family (19 laws, regulations and judicial interpretations) into
# corpus/ from a snapshot of the law library LawRefBook/Laws at a fixed commit.
#
#   scripts/import_family.sh SNAPSHOT [extra `regqa add` options, e.g. --dry-run]
#
# SNAPSHOT is the library's git directory (a bare clone, e.g. /work/.mirror/LawRefBook+Laws/repo),
# a clone with a work tree, or a plain folder holding the files at their library paths.
# The doc_id of each file is fixed by scripts/work_safety_family.tsv (doc_id <TAB> path), which
# agrees with source_path in corpus/catalog.toml. The files are read at commit $COMMIT, imported by
# ONE `python -m regqa add DIR --recursive --strict` (all or nothing, one index rebuild), and never
# edited: the importer only drops Markdown heading marks and blank lines.
set -euo pipefail

COMMIT=2f4c5c23716267af9dbebbbbd6cbbf732b101981
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
LIST="$ROOT/scripts/work_safety_family.tsv"

if [ $# -lt 1 ]; then
  echo "用法：scripts/import_family.sh 法规库快照路径 [regqa add 的其他选项，如 --dry-run]" >&2
  exit 2
fi
SNAPSHOT="$1"; shift

GIT_DIR=""
if git --git-dir="$SNAPSHOT" rev-parse --git-dir >/dev/null 2>&1; then
  GIT_DIR="$SNAPSHOT"
elif git -C "$SNAPSHOT" rev-parse --git-dir >/dev/null 2>&1; then
  GIT_DIR="$(git -C "$SNAPSHOT" rev-parse --absolute-git-dir)"
elif [ ! -d "$SNAPSHOT" ]; then
  echo "找不到法规库快照：$SNAPSHOT" >&2
  exit 2
fi
if [ -n "$GIT_DIR" ] && ! git --git-dir="$GIT_DIR" cat-file -e "$COMMIT^{commit}" 2>/dev/null; then
  echo "快照中没有提交 $COMMIT：$SNAPSHOT" >&2
  exit 2
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/lib"
while IFS=$'\t' read -r doc_id path; do
  case "$doc_id" in ''|'#'*) continue ;; esac
  mkdir -p "$TMP/lib/$(dirname "$path")"
  if [ -n "$GIT_DIR" ]; then
    git --git-dir="$GIT_DIR" show "$COMMIT:$path" > "$TMP/lib/$path"
  else
    cp "$SNAPSHOT/$path" "$TMP/lib/$path"
  fi
done < "$LIST"

cd "$ROOT"
PYTHONPATH="$ROOT/src${PYTHONPATH:+:$PYTHONPATH}" \
  python -m regqa add "$TMP/lib" --recursive --ids "$LIST" --strict "$@"
