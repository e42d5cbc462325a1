"""Printable documents: invoices, credit notes and quotes as PDF (Jinja HTML laid out by xhtml2pdf).

- `rendering`: fonts registered once per process, templates compiled once, HTML -> PDF bytes.
- `context`: what a template receives (tenant, branding, customer, lines, taxes, Babel-formatted amounts,
  the VERI*FACTU QR) plus the provider hooks other modules use to add fields (`payment_url`, `einvoice`).
- `services`: the stored PDF of an issued document (rendered by a Huey task after the issue commits, or
  on demand), drafts with a BORRADOR watermark (never stored), and sending a document by e-mail.
- `exports`: bulk exports of a selection of invoices into one zip, with progress.
- `branding`: logo, colour, footer and legal text of the tenant.
"""
