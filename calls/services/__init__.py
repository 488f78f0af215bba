"""Call services, by sub-domain: status (transitions), guard (compliance), campaigns, dispatch,
webhooks (provider events), voice (the conversation on a live call), simulation (the simulated provider's
player), outcomes (promises, suppressions, follow-ups)."""
