"""Text handling shared by search and name matching: transliteration and folding."""

from civicspace.text.translit import SCHEMES, detect_script, fold, fold_tokens, transliterate

__all__ = ["SCHEMES", "detect_script", "fold", "fold_tokens", "transliterate"]
