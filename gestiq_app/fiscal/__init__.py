"""Provide pure fiscal helpers for Spain (AEAT, VERI*FACTU) and Ecuador (SRI)."""
