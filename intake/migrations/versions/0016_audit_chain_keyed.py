"""The audit chain becomes keyed: from here each event's hash is an HMAC under a key the database does not hold.

Revision ID: 0016
Revises: 0015

No schema change. This revision marks the one upgrade at which the existing chain, hashed with plain SHA-256,
is re-linked with the keyed digest: `flask --app bot intake init-db` (the release step) notes the revision before
upgrading and, when this run takes the database across 0016, checks the old chain and re-links it
(intake.audit.rekey), or refuses if it is broken. The key comes from INTAKE_HASH_KEY, which a migration is not
given, hence the step after the migrations rather than in one. Once only: a chain someone later rebuilds without
the key is reported broken by `verify-audit`, never converted again. Downgrade changes nothing (the keyed chain
stays keyed).
"""

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
