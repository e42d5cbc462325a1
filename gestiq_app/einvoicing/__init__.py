"""Electronic invoicing: Ecuador (SRI offline scheme) and Spain (VERI*FACTU).

The engines (`ec_sri`, `es_verifactu`) take typed dataclasses, never the sales models: the sales module maps
its invoices onto them and calls the entry points in `gestiq_app.einvoicing.services`.
"""
