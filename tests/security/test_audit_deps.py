"""scripts/audit-deps: findings fail, an unreachable advisory service warns (`make test` runs the real audit)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("gestiq_audit_deps", ROOT / "scripts" / "audit_deps.py")
audit_deps = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
sys.modules[spec.name] = audit_deps  # dataclasses look their module up there
spec.loader.exec_module(audit_deps)  # type: ignore[union-attr]


def _pip_report(*dependencies: dict) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


def test_a_python_vulnerability_fails_unless_ignored() -> None:
    report = _pip_report({"name": "flask", "version": "0.1", "vulns": [{"id": "PYSEC-1", "aliases": ["CVE-1"], "fix_versions": ["3.1"]}]},
                         {"name": "click", "version": "8", "vulns": []})
    assert audit_deps.judge_pip_audit(1, report, "", set()).failures == ["flask 0.1: PYSEC-1 (fixed in 3.1)"]
    ignored = audit_deps.judge_pip_audit(1, report, "", {"CVE-1"})
    assert ignored.failures == [] and ignored.notes[0].startswith("ignored PYSEC-1")


def test_python_audit_with_nothing_audited_or_no_json_is_a_warning() -> None:
    skipped = _pip_report({"name": "flask", "version": "3", "skip_reason": "Dependency not found on PyPI and could not be audited"})
    outcome = audit_deps.judge_pip_audit(0, skipped, "", set())
    assert outcome.failures == [] and "unreachable" in outcome.warnings[0]
    offline = audit_deps.judge_pip_audit(1, "", "ConnectionError: Max retries exceeded", set())
    assert offline.failures == [] and "ConnectionError" in offline.warnings[0]


def test_npm_high_and_critical_fail_lower_ones_are_notes() -> None:
    report = json.dumps({"vulnerabilities": {"a": {"severity": "critical", "range": "<2"}, "b": {"severity": "moderate"}},
                         "metadata": {"vulnerabilities": {"critical": 1, "moderate": 1, "total": 2}, "dependencies": {"prod": 3}}})
    outcome = audit_deps.judge_npm_audit("tenant-pwa", 1, report, "")
    assert outcome.failures == ["a: critical (<2)"] and "moderate" in outcome.notes[0]


def test_npm_endpoint_errors_are_warnings() -> None:
    refused = json.dumps({"message": "405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk"})
    outcome = audit_deps.judge_npm_audit("tenant-pwa", 1, refused, "npm error audit endpoint returned an error")
    assert outcome.failures == [] and "405" in outcome.warnings[0]
