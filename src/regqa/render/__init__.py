"""Renderers: answers (typed blocks) and search outcomes turned into Markdown, plain text and JSON.

Each renderer reads blocks and writes one format; none parses another's output.
"""
