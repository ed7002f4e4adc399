"""HTTP concerns in front of GraphQL: the body limit, and GraphQL over HTTP as its spec asks
(media types, status codes, malformed bodies). Nothing here names an upstream or a venue."""
