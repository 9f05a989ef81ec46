"""Operational visibility: Prometheus metrics (`GET /metrics`) and structured JSON logs."""
