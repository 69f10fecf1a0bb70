"""The REST API (django-ninja) under /api/v1/: the same services and access helpers as the screens."""
