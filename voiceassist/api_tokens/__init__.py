"""Integrations' API tokens: made in the admin, shown once, stored only as a hash (django-rest-knox)."""
