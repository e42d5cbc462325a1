"""Spain, VERI*FACTU: the chained billing records, their XML, and the AEAT submission client."""
