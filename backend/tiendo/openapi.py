"""Writes the OpenAPI schema to a file without starting a server: `python -m tiendo.openapi PATH`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sqlalchemy import create_engine


def schema() -> dict:
    from tiendo.main import create_app

    # The schema does not depend on the database; an in-memory engine keeps this side-effect free.
    return create_app(engine=create_engine("sqlite://")).openapi()


def main() -> None:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "frontend/openapi.json")
    target.write_text(json.dumps(schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
