"""Exports: a screen's own page as a PDF, or its rows as CSV, for any workspace.

`export_pdf` and `export_csv` (services.py) refuse roles without the `export` permission
(403, written to the access log as denied), mark every page or file OFFICIAL-SENSITIVE with who
exported it and when, and write one `export` entry naming every child exported in the same
transaction as producing the file. docs/web.md "Exports".
"""
