"""Settings per environment: `base` (shared), `dev` (embedded SQLite), `test`, `production`.

Select with DJANGO_SETTINGS_MODULE; the `safetynet` command defaults to
`safetynet.settings.dev`.
"""
