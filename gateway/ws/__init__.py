"""GraphQL over WebSocket for subscriptions: both subprotocols, one execution per distinct operation."""
