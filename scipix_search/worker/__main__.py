"""``python -m scipix_search.worker``: the same as ``scipix-search worker``.

The command line lives in ``cli``; an entry point is imported by nothing, so this import
cannot close a cycle between the packages.
"""

import sys

from scipix_search.cli.worker import main

sys.exit(main())
