"""Sales: quotes, invoices and credit notes, their totals, numbering and issuing."""
