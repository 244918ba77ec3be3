"""LaTeX sources (a ``.tex`` file, a source folder, an arXiv archive) into documents.

The authors' own formulas, after expanding their simple macros, are the exact ground truth
for the PDF compiled from the same source (see :mod:`scipix_search.ingest.pair`).
"""

from scipix_search.ingest.latex._macros import read_group
from scipix_search.ingest.latex._source import TexEquation, parse_latex_source, read_tex_equations

__all__ = ["TexEquation", "parse_latex_source", "read_group", "read_tex_equations"]
