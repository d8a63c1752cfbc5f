"""What ``plan`` reads of a stack's snapshot (``existing/<stack>.json``), as one value: two snapshots that give the same
value get the same verdicts.

``plan`` reads a snapshot two ways here: the records reachability and the cross-stack checks judge
(:mod:`.existing_records`) and the answers the program's lookups get (:mod:`.existing_answers`). Everything else a
snapshot holds (a record's TTL, an ASN, a certificate's status…) is kept for review and changes no verdict.
The landing-zone model reads a third part (``stacks.landing_zone_model.existing_model_facts``); drift compares all three.
"""

from __future__ import annotations

import json
from typing import Any

from .existing_answers import ExistingAnswers
from .existing_records import existing_records
from .fake_ids import default_security_group_id


def plan_facts(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The records and lookup answers ``plan`` derives from ``snapshot``, in a form that compares by value."""
    records = sorted(json.dumps([account, record.type, record.name, record.id, record.state], sort_keys=True)
                     for _, account, _, record in existing_records(snapshot.get("stack", ""), "", "", snapshot))
    return {"records": records, "lookups": ExistingAnswers(snapshot, default_security_group_id).every_answer()}
