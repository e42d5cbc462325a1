"""Rewrite the settings table of README.md from gestiq_app.config.SETTINGS (run after adding a setting)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from gestiq_app.config import SETTINGS  # noqa: E402

README = Path(__file__).resolve().parents[2] / "README.md"


def table() -> str:
    """Return the markdown table of every setting."""
    rows = ["| Setting | Default | Meaning |", "|---|---|---|"]
    for name, (default, meaning) in SETTINGS.items():
        shown = "./instance" if name == "GESTIQ_INSTANCE_PATH" else default
        rows.append(f"| `{name}` | {f'`{shown}`' if shown else '(empty)'} | {meaning} |")
    return "\n".join(rows)


def main() -> None:
    """Replace the table in place."""
    text = README.read_text(encoding="utf-8")
    text = re.sub(r"\| Setting \| Default \| Meaning \|\n(?:\|.*\|\n)+", table() + "\n", text, count=1)
    README.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
