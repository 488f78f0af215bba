"""The calls app's back office. Importing each module registers its admins with the site, which is what
Django's admin autodiscovery (importing ``calls.admin``) relies on."""

from . import calls, campaigns, customers, promises, work_items

__all__ = ["calls", "campaigns", "customers", "promises", "work_items"]
