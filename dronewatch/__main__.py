from dronewatch.cli import main

raise SystemExit(main())
