"""`python -m safetynet` runs the same console command as `safetynet`."""

from safetynet.cli.main import main

raise SystemExit(main())
