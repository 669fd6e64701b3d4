"""``python -m vercel_ai_gateway``: the command line."""

from vercel_ai_gateway.cli import main

raise SystemExit(main())
