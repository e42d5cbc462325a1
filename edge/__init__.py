"""GestiQCloud edge layer: the shared edge policy applied as WSGI middleware (the Worker lives in worker.js)."""
