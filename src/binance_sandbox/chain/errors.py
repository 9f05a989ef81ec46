"""What the chain refuses. Families map these to their own codes."""

from __future__ import annotations


class ChainError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownNetwork(ChainError, ValueError):
    pass


class InvalidAddress(ChainError):
    pass


class AmountTooSmall(ChainError):
    pass


class AmountTooLarge(ChainError):
    pass


class WithdrawDisabled(ChainError):
    pass


class DepositDisabled(ChainError):
    pass


class InsufficientBalance(ChainError):
    pass


class UnknownWithdrawal(ChainError):
    pass


class WithdrawalFinal(ChainError):
    pass
