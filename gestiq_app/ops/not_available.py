"""Scripts whose pipelines other issues build: they say so and exit 2 instead of pretending to work."""

from __future__ import annotations

import argparse
import sys

#: script -> (what it will do, what it waits for)
PENDING_SCRIPTS: dict[str, tuple[str, str]] = {
    "rotate-secrets": ("Volver a cifrar los secretos guardados con la clave más reciente", "payments"),
}
EXIT_NOT_AVAILABLE = 2


def main(argv: list[str] | None = None) -> int:
    """Run `scripts/<name>` for a script that is not available yet."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    name = arguments.pop(0) if arguments else ""
    if name not in PENDING_SCRIPTS:
        print(f"Error: script desconocido «{name}»", file=sys.stderr)
        return EXIT_NOT_AVAILABLE
    purpose, dependency = PENDING_SCRIPTS[name]
    parser = argparse.ArgumentParser(prog=f"scripts/{name}", description=f"{purpose}. Aún no disponible.")
    parser.add_argument("args", nargs="*", help="(todavía sin uso)")
    parser.parse_args(arguments)
    print(f"Error: scripts/{name} aún no está disponible: depende de imports/payments (módulo {dependency}).", file=sys.stderr)
    return EXIT_NOT_AVAILABLE


if __name__ == "__main__":
    sys.exit(main())
