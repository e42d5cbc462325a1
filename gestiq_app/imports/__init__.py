"""Bulk imports: batches of rows (CSV, XLSX, JSON) staged, validated with the domain schemas, promoted with lineage."""
