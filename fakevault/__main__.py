"""``python -m fakevault``."""

from fakevault.cli import main

raise SystemExit(main())
