"""What the chain refuses. The chain has no codes of its own: each family maps these to its
own (`wallet.capital`: `UnknownNetwork` → -4018, `InvalidAddress` → -4033, …; Deposit: 1230303).

    ChainError
    ├── UnknownNetwork        also a ValueError: a network name the chain does not know
    ├── InvalidAddress        not an address of that network
    ├── AmountTooSmall        under the network's withdrawal minimum
    ├── AmountTooLarge        over the network's withdrawal maximum
    ├── WithdrawDisabled      the network's withdrawals are switched off
    ├── DepositDisabled       the network's deposits are switched off
    ├── InsufficientBalance   less than amount plus fee
    ├── UnknownWithdrawal     no withdrawal with that id
    └── WithdrawalFinal       a withdrawal that can no longer change
"""

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
