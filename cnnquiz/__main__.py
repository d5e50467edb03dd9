from cnnquiz.cli import main

raise SystemExit(main())
