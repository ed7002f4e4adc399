"""What an operator sees of a running gateway: logs, metrics, traces, readiness.

- `request.py`: the per-request record (request id, operation, upstream calls) in a context variable.
- `access.py`: the pure-ASGI layer that begins that record, returns `X-Request-Id` and writes one
  access line, one request-duration sample and one server span per HTTP request.
- `logs.py` / `redact.py`: logging configured once per process (text or JSON), secrets removed.
- `metrics.py`: Prometheus metrics (prometheus_client), multiprocess-aware for `--workers N`.
- `tracing.py`: optional OpenTelemetry spans and W3C trace-context propagation.
- `readiness.py`: `/readyz`, from Redis, the upstreams' circuit breakers and the stream hub.

Nothing here knows an upstream by name: sources, endpoints and venues arrive as labels.
"""
