"""The calls app's back office. Importing each module registers its admins with the site, which is what
Django's admin autodiscovery (importing ``calls.admin``) relies on."""

from . import calls, campaigns, customers, promises, work_items
from .campaign_audience import audience_preview_html, left_out_words

__all__ = ["audience_preview_html", "calls", "campaigns", "customers", "left_out_words", "promises", "work_items"]
