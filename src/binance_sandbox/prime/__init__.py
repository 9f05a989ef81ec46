"""Connect Prime: the buy/sell ramp (spec/connect-prime-integration-guide.txt)."""
