"""make verifactu records immutable (PostgreSQL trigger refusing UPDATE, DELETE and TRUNCATE)

Revision ID: d7f3b2a91c05
Revises: c4e1a7d2f9b3
Create Date: 2026-11-29 06:27:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd7f3b2a91c05'
down_revision = 'c4e1a7d2f9b3'
branch_labels = None
depends_on = None


def upgrade():
    # SQLite has no equivalent worth the complexity: there the ORM guard is the protection.
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION verifactu_records_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'verifactu_records is append-only: % refused', TG_OP
                USING HINT = 'Los registros VERI*FACTU no se pueden modificar ni borrar; emita un registro nuevo.';
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER verifactu_records_immutable BEFORE UPDATE OR DELETE ON verifactu_records "
        "FOR EACH ROW EXECUTE FUNCTION verifactu_records_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER verifactu_records_no_truncate BEFORE TRUNCATE ON verifactu_records "
        "FOR EACH STATEMENT EXECUTE FUNCTION verifactu_records_refuse_change()"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS verifactu_records_no_truncate ON verifactu_records")
    op.execute("DROP TRIGGER IF EXISTS verifactu_records_immutable ON verifactu_records")
    op.execute("DROP FUNCTION IF EXISTS verifactu_records_refuse_change()")
