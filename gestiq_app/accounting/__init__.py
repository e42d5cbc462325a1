"""Double-entry accounting: chart of accounts, journal posted from documents, reports and the dashboard."""
