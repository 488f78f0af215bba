"""The calls API under /api/v1/, one module per sub-domain: campaigns, figures, calls, promises, work items."""
