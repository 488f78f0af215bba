"""The agents' pages, one module per area; ``agents.urls`` maps each address to its view."""
