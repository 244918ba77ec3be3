from scipix_search.cli import main

raise SystemExit(main())
