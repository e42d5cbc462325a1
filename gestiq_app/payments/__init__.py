"""Payments: provider accounts, payments, refunds, payment requests and provider notifications."""
