"""A typeset evaluation corpus: real formulas set by pdflatex in many classes and math fonts.

``build.py`` writes and compiles the documents (cached under ``~/.cache/scipix-search/typeset``),
``run.py`` scores the PDF display-equation reader on them. See ``README.md`` beside this file.
"""
