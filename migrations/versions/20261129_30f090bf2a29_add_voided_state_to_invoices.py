"""add the voided state to invoices, with when and why they were voided

Revision ID: 30f090bf2a29
Revises: df8fc55e1cf3
Create Date: 2026-11-29 09:12:03.238697

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '30f090bf2a29'
down_revision = 'df8fc55e1cf3'
branch_labels = None
depends_on = None

STATES_BEFORE = {
    "quote": ("draft", "converted"),
    "invoice": ("draft", "issued", "partially_paid", "paid", "rectified"),
    "credit_note": ("draft", "issued"),
}
STATES_AFTER = {**STATES_BEFORE, "invoice": STATES_BEFORE["invoice"] + ("voided",)}


def _state_check(states_by_kind):
    def _in(values):
        return f"state IN ({', '.join(repr(value) for value in values)})"

    return " OR ".join(f"(kind = '{kind}' AND {_in(states)})" for kind, states in states_by_kind.items())


def upgrade():
    with op.batch_alter_table('sales_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('void_reason', sa.String(length=300), nullable=True))
        batch_op.drop_constraint('state', type_='check')
        batch_op.create_check_constraint('state', _state_check(STATES_AFTER))


def downgrade():
    # Voided invoices cannot exist under the old rule: they go back to issued (their reason is lost with the column).
    op.execute("UPDATE sales_documents SET state = 'issued', amount_due = total WHERE state = 'voided'")
    with op.batch_alter_table('sales_documents', schema=None) as batch_op:
        batch_op.drop_constraint('state', type_='check')
        batch_op.create_check_constraint('state', _state_check(STATES_BEFORE))
        batch_op.drop_column('void_reason')
        batch_op.drop_column('voided_at')
