"""Encryption at rest: confidential fields sealed with AES-GCM under wrapped data keys."""

from civicspace.crypto.keyring import (
    NO_KEY_HELP,
    Keyring,
    KeysNotConfigured,
    associated_data,
    is_sealed,
)
from civicspace.crypto.keys import ENV_KEY, ENV_KEY_FILE, KeyProblem, MasterKey
from civicspace.crypto.sealing import Sealed, keyring_of, require_keyring
from civicspace.secret import Secret

__all__ = [
    "ENV_KEY",
    "ENV_KEY_FILE",
    "NO_KEY_HELP",
    "KeyProblem",
    "Keyring",
    "KeysNotConfigured",
    "MasterKey",
    "Sealed",
    "Secret",
    "associated_data",
    "is_sealed",
    "keyring_of",
    "require_keyring",
]
