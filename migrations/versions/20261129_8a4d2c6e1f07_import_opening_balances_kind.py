"""imports: the `opening_balances` batch kind (one journal entry «Asiento de apertura» per batch)

Revision ID: 8a4d2c6e1f07
Revises: 7a1f0c3e5b22
Create Date: 2026-11-29 12:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '8a4d2c6e1f07'
down_revision = '7a1f0c3e5b22'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('customers', 'suppliers', 'products', 'documents')"
NEW_KINDS = "kind IN ('customers', 'suppliers', 'products', 'documents', 'opening_balances')"


def upgrade():
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_import_batches_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_import_batches_kind'), NEW_KINDS)


def downgrade():
    op.execute("DELETE FROM import_batches WHERE kind = 'opening_balances'")
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_import_batches_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_import_batches_kind'), OLD_KINDS)
