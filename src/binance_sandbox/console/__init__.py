"""The sandbox's web console at `/console`: what the control API does, for a person.

Server-rendered pages (Jinja2) that call the same use cases as the control API (the
families' `admin.py`); sign-in with the admin token sets an HttpOnly signed cookie. See
docs/console.md.
"""
