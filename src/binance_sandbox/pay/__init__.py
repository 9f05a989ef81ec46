"""Binance Pay, the merchant OpenAPI (spec/pay-create-order-v2.txt, spec/pay-openapi.txt,
NOTES.md "Binance Pay"; the sandbox's contract in docs/binance-pay.md)."""
