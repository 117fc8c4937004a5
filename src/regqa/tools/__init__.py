"""Tools for officials and trainers: duty checklists, study packs, side-by-side comparison.

Every line a tool produces is traceable to a unit of the corpus: items quote their source
verbatim and carry the citation label (with 款/项 where applicable).
"""
