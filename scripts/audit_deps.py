"""Audit the dependencies: pip-audit of requirements.txt and `npm audit --omit=dev` of the served Node packages.

A known vulnerability fails (exit 1): every pip-audit finding (PyPI's advisories carry no severity, so each
counts as high) and npm findings of severity high or critical. An advisory service that cannot be reached,
or that audits nothing, is a WARNING and the exit stays 0, unless --require-service (then 2).
Ignored advisories live in scripts/audit-deps.ignore, one `ID  reason` per line.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IGNORE_FILE = ROOT / "scripts" / "audit-deps.ignore"
#: Node packages whose production dependencies reach users (the PWA bundle, the API docs assets, the Worker).
NPM_PROJECTS = ("tenant-pwa", "api/docs", "edge")
FAILING_NPM_SEVERITIES = ("high", "critical")
TIMEOUT_SECONDS = 120


@dataclass
class Outcome:
    """What one audit concluded."""

    name: str
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def ignored_ids() -> set[str]:
    """Return the advisory ids listed in scripts/audit-deps.ignore."""
    if not IGNORE_FILE.is_file():
        return set()
    return {line.split()[0] for line in IGNORE_FILE.read_text().splitlines() if line.strip() and not line.startswith("#")}


def judge_pip_audit(returncode: int, stdout: str, stderr: str, ignored: set[str]) -> Outcome:
    """Turn a `pip-audit -f json` run into failures (vulnerabilities) and warnings (nothing could be checked)."""
    outcome = Outcome("pip-audit requirements.txt")
    try:
        report = json.loads(stdout)
    except ValueError:
        outcome.warnings.append(f"advisory service unreachable (pip-audit exit {returncode}): {stderr.strip()[-300:]}")
        return outcome
    dependencies = report.get("dependencies", [])
    skipped = [item for item in dependencies if item.get("skip_reason")]
    for item in dependencies:
        for vulnerability in item.get("vulns", []):
            ids = {vulnerability.get("id", ""), *vulnerability.get("aliases", [])}
            if ids & ignored:
                outcome.notes.append(f"ignored {vulnerability.get('id')} in {item['name']} {item.get('version')}")
                continue
            fixes = ", ".join(vulnerability.get("fix_versions", [])) or "no fixed version"
            outcome.failures.append(f"{item['name']} {item.get('version')}: {vulnerability.get('id')} (fixed in {fixes})")
    if dependencies and len(skipped) == len(dependencies):
        outcome.warnings.append(f"advisory service unreachable: none of the {len(dependencies)} packages could be audited "
                                f"({skipped[0]['skip_reason']})")
    elif skipped:
        outcome.warnings.append(f"{len(skipped)} of {len(dependencies)} packages not audited: "
                                + ", ".join(item["name"] for item in skipped[:10]))
    elif not dependencies:
        outcome.warnings.append("pip-audit reported no dependencies at all")
    else:
        outcome.notes.append(f"{len(dependencies)} packages audited")
    return outcome


def judge_npm_audit(project: str, returncode: int, stdout: str, stderr: str) -> Outcome:
    """Turn an `npm audit --json` run into failures (high/critical) and warnings (endpoint unreachable)."""
    outcome = Outcome(f"npm audit --omit=dev {project}")
    try:
        report = json.loads(stdout)
    except ValueError:
        report = {}
    counts = report.get("metadata", {}).get("vulnerabilities")
    if counts is None:
        reason = report.get("message") or stderr.strip()[-300:] or f"exit {returncode}"
        outcome.warnings.append(f"advisory service unreachable: {reason}")
        return outcome
    for name, vulnerability in sorted(report.get("vulnerabilities", {}).items()):
        if vulnerability.get("severity") in FAILING_NPM_SEVERITIES:
            outcome.failures.append(f"{name}: {vulnerability['severity']} ({vulnerability.get('range', '')})")
    lower = {severity: count for severity, count in counts.items() if severity not in FAILING_NPM_SEVERITIES + ("total",) and count}
    if lower:
        outcome.notes.append(f"lower-severity findings (not failing): {lower}")
    outcome.notes.append(f"{report.get('metadata', {}).get('dependencies', {}).get('prod', '?')} production packages audited")
    return outcome


def _run(command: list[str], cwd: Path) -> tuple[int, str, str]:
    try:
        completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    except (OSError, subprocess.TimeoutExpired) as error:
        return 127, "", f"{type(error).__name__}: {error}"
    return completed.returncode, completed.stdout, completed.stderr


def audit() -> list[Outcome]:
    """Run every audit and judge it."""
    outcomes = [judge_pip_audit(*_run([sys.executable, "-m", "pip_audit", "-r", "requirements.txt", "--no-deps", "--disable-pip",
                                      "--progress-spinner", "off", "--timeout", "20", "-f", "json"], ROOT), ignored_ids())]
    for project in NPM_PROJECTS:
        folder = ROOT / project
        if (folder / "package-lock.json").is_file():
            outcomes.append(judge_npm_audit(project, *_run(["npm", "audit", "--omit=dev", "--json"], folder)))
    return outcomes


def main(argv: list[str] | None = None) -> int:
    """Print the verdicts; 1 on a vulnerability, 2 on an unreachable service with --require-service, else 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--require-service", action="store_true", help="fail (exit 2) when an advisory service cannot be used")
    args = parser.parse_args(argv)
    outcomes = audit()
    for outcome in outcomes:
        for line in outcome.failures:
            print(f"audit-deps: FAIL {outcome.name}: {line}")
        for line in outcome.warnings:
            print(f"audit-deps: WARNING {outcome.name}: {line}")
        for line in outcome.notes:
            print(f"audit-deps: {outcome.name}: {line}")
    if any(outcome.failures for outcome in outcomes):
        return 1
    if args.require_service and any(outcome.warnings for outcome in outcomes):
        return 2
    print("audit-deps: no known high-severity vulnerability" + (" (some advisories could not be checked: see the warnings)"
                                                                  if any(outcome.warnings for outcome in outcomes) else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
