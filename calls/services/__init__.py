"""Call services, by sub-domain: status (transitions), guard (compliance), campaigns, dispatch,
webhooks (provider events), outcomes (keypad, promises, follow-ups)."""
