"""imports: the `invoices` and `supplier_invoices` batch kinds; sales_documents.origin ('app' | 'import')

Revision ID: a7c31e9d4b52
Revises: 8a4d2c6e1f07
Create Date: 2026-11-29 12:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c31e9d4b52'
down_revision = '8a4d2c6e1f07'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('customers', 'suppliers', 'products', 'documents', 'opening_balances')"
NEW_KINDS = "kind IN ('customers', 'suppliers', 'products', 'documents', 'opening_balances', 'invoices', 'supplier_invoices')"


def upgrade():
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_import_batches_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_import_batches_kind'), NEW_KINDS)
    with op.batch_alter_table('sales_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=10), server_default='app', nullable=False))
        batch_op.create_check_constraint(op.f('ck_sales_documents_origin'), "origin IN ('app', 'import')")


def downgrade():
    with op.batch_alter_table('sales_documents', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_sales_documents_origin'), type_='check')
        batch_op.drop_column('origin')
    op.execute("DELETE FROM import_batches WHERE kind IN ('invoices', 'supplier_invoices')")
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_import_batches_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_import_batches_kind'), OLD_KINDS)
