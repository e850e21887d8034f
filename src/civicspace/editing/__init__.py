"""Creating and changing records: service functions shared by the web app, the API and
scripts, each one transaction, with the rules of who may claim what and how new records
(their ids, the people a form names as new) are made."""

from civicspace.editing.ids import ID_PREFIXES, id_for, new_id
from civicspace.editing.participants import new_participant, script_of
from civicspace.editing.service import (
    EDITORS_FIELDS,
    ClaimRefused,
    check_claims,
    create_record,
    update_record,
    verification_after_change,
)

__all__ = [
    "EDITORS_FIELDS",
    "ID_PREFIXES",
    "ClaimRefused",
    "check_claims",
    "create_record",
    "id_for",
    "new_id",
    "new_participant",
    "script_of",
    "update_record",
    "verification_after_change",
]
