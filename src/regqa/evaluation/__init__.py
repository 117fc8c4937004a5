"""Evaluation: question set, retrieval metrics, baselines and the report."""
