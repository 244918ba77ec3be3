import sys

from scipix_search.worker import main

sys.exit(main())
