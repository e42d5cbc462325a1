"""imports: the `documents` batch kind and the `needs_review` item status (status column widened to 12)

Revision ID: 5b0c7e4d9a21
Revises: e03b84fffe4b
Create Date: 2026-11-29 10:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b0c7e4d9a21'
down_revision = 'e03b84fffe4b'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('customers', 'suppliers', 'products')"
NEW_KINDS = "kind IN ('customers', 'suppliers', 'products', 'documents')"
OLD_STATUSES = "status IN ('pending', 'valid', 'invalid', 'skipped', 'promoted')"
NEW_STATUSES = "status IN ('pending', 'valid', 'invalid', 'needs_review', 'skipped', 'promoted')"


def upgrade():
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_import_batches_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_import_batches_kind'), NEW_KINDS)
    with op.batch_alter_table('import_items', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_import_items_status'), type_='check')
        batch_op.alter_column('status', existing_type=sa.String(length=10), type_=sa.String(length=12), existing_nullable=False)
        batch_op.create_check_constraint(op.f('ck_import_items_status'), NEW_STATUSES)


def downgrade():
    op.execute("DELETE FROM import_batches WHERE kind = 'documents'")
    op.execute("UPDATE import_items SET status = 'invalid' WHERE status = 'needs_review'")
    with op.batch_alter_table('import_items', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_import_items_status'), type_='check')
        batch_op.alter_column('status', existing_type=sa.String(length=12), type_=sa.String(length=10), existing_nullable=False)
        batch_op.create_check_constraint(op.f('ck_import_items_status'), OLD_STATUSES)
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_import_batches_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_import_batches_kind'), OLD_KINDS)
