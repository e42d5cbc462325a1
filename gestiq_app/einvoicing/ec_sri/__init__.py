"""Ecuador, SRI offline scheme: documents, XML, XAdES-BES signature, web-service clients and RIDE."""
