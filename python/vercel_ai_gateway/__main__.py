"""``python -m vercel_ai_gateway``: the command line."""

from vercel_ai_gateway.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
