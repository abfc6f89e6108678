"""The practice app's admin, one module per domain; importing the package registers every ModelAdmin."""

from . import accounts, bank, forms, fulltests, institutions, learning, legacy, mail
from .accounts import LEARNER_ROWS

__all__ = [
    "LEARNER_ROWS",
    "accounts",
    "bank",
    "forms",
    "fulltests",
    "institutions",
    "learning",
    "legacy",
    "mail",
]
