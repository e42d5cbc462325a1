"""add chart of accounts and journal (balanced entries enforced by the database, posted entries immutable)

PostgreSQL: a CONSTRAINT TRIGGER deferred to commit checks that every entry has two lines or more and that
its debits equal its credits; BEFORE triggers refuse changing or deleting a posted entry or its lines to
anyone but the tables' owner (the migration/erasure role). SQLite cannot defer a check to commit: there a
trigger checks the balance when the entry is flagged posted (the service writes lines, then sets
is_posted) and refuses updates of posted entries and their lines (deletes stay possible for erasure).
Charts of accounts of existing tenants are loaded lazily on their first posting (gestiq_app.accounting.journal).

Revision ID: 4c68303ee787
Revises: 3c8a74546c29
Create Date: 2026-11-29 09:12:23.657381

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4c68303ee787'
down_revision = '3c8a74546c29'
branch_labels = None
depends_on = None


POSTGRESQL_TRIGGERS = (
    """
    CREATE FUNCTION journal_entry_check_balance() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        v_tenant uuid;
        v_entry uuid;
        v_debit numeric;
        v_credit numeric;
        v_lines integer;
    BEGIN
        IF TG_TABLE_NAME = 'journal_entries' THEN
            v_tenant := NEW.tenant_id; v_entry := NEW.id;
        ELSIF TG_OP = 'DELETE' THEN
            v_tenant := OLD.tenant_id; v_entry := OLD.entry_id;
        ELSE
            v_tenant := NEW.tenant_id; v_entry := NEW.entry_id;
        END IF;
        -- The whole entry went (erasure): nothing left to balance.
        IF NOT EXISTS (SELECT 1 FROM journal_entries WHERE tenant_id = v_tenant AND id = v_entry) THEN
            RETURN NULL;
        END IF;
        SELECT coalesce(sum(debit), 0), coalesce(sum(credit), 0), count(*) INTO v_debit, v_credit, v_lines
          FROM journal_lines WHERE tenant_id = v_tenant AND entry_id = v_entry;
        IF v_lines < 2 OR v_debit <> v_credit THEN
            RAISE EXCEPTION 'journal entry % is unbalanced: debit %, credit %, % line(s)', v_entry, v_debit, v_credit, v_lines
                USING ERRCODE = 'check_violation', HINT = 'Un asiento necesita dos líneas o más y el debe igual al haber.';
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "CREATE CONSTRAINT TRIGGER journal_lines_balanced AFTER INSERT OR UPDATE OR DELETE ON journal_lines "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_entry_check_balance()",
    "CREATE CONSTRAINT TRIGGER journal_entries_balanced AFTER INSERT OR UPDATE ON journal_entries "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_entry_check_balance()",
    """
    CREATE FUNCTION journal_refuse_posted_change() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        v_posted boolean;
    BEGIN
        -- The owner role (migrations, tenant erasure and restore) may; the application role may not.
        IF current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID) THEN
            RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END IF;
        IF TG_TABLE_NAME = 'journal_entries' THEN
            v_posted := OLD.is_posted;
        ELSE
            SELECT is_posted INTO v_posted FROM journal_entries
             WHERE tenant_id = (CASE WHEN TG_OP = 'INSERT' THEN NEW.tenant_id ELSE OLD.tenant_id END)
               AND id = (CASE WHEN TG_OP = 'INSERT' THEN NEW.entry_id ELSE OLD.entry_id END);
        END IF;
        IF coalesce(v_posted, false) THEN
            RAISE EXCEPTION 'posted journal entries are append-only: % on % refused', TG_OP, TG_TABLE_NAME
                USING HINT = 'Los asientos contabilizados no se modifican: registre un asiento de anulación.';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END
    $$
    """,
    "CREATE TRIGGER journal_entries_immutable BEFORE UPDATE OR DELETE ON journal_entries "
    "FOR EACH ROW EXECUTE FUNCTION journal_refuse_posted_change()",
    "CREATE TRIGGER journal_lines_immutable BEFORE INSERT OR UPDATE OR DELETE ON journal_lines "
    "FOR EACH ROW EXECUTE FUNCTION journal_refuse_posted_change()",
)
_SQLITE_LINES = "FROM journal_lines WHERE journal_lines.tenant_id = NEW.tenant_id AND journal_lines.entry_id = NEW.id"
SQLITE_TRIGGERS = (
    "CREATE TRIGGER journal_entries_balanced_on_post BEFORE UPDATE OF is_posted ON journal_entries "
    f"WHEN NEW.is_posted = 1 AND ((SELECT count(*) {_SQLITE_LINES}) < 2 "
    f"OR abs((SELECT coalesce(sum(debit), 0) - coalesce(sum(credit), 0) {_SQLITE_LINES})) >= 0.005) "
    "BEGIN SELECT RAISE(ABORT, 'journal entry is unbalanced'); END",
    "CREATE TRIGGER journal_entries_posted_immutable BEFORE UPDATE ON journal_entries WHEN OLD.is_posted = 1 "
    "BEGIN SELECT RAISE(ABORT, 'posted journal entries are append-only'); END",
    "CREATE TRIGGER journal_lines_posted_immutable BEFORE UPDATE ON journal_lines "
    "WHEN (SELECT is_posted FROM journal_entries WHERE journal_entries.tenant_id = OLD.tenant_id "
    "AND journal_entries.id = OLD.entry_id) = 1 "
    "BEGIN SELECT RAISE(ABORT, 'posted journal entries are append-only'); END",
)


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('accounts',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=10), nullable=False),
    sa.Column('parent_id', sa.Uuid(), nullable=True),
    sa.Column('is_postable', sa.Boolean(), nullable=False),
    sa.Column('is_system', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("type IN ('asset', 'liability', 'equity', 'income', 'expense')", name=op.f('ck_accounts_type')),
    sa.ForeignKeyConstraint(['tenant_id', 'parent_id'], ['accounts.tenant_id', 'accounts.id'], name='fk_accounts_parent', initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_accounts_tenant_id_code'))
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('journal_entries',
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('source_type', sa.String(length=30), nullable=True),
    sa.Column('source_id', sa.Uuid(), nullable=True),
    sa.Column('reference', sa.String(length=60), nullable=True),
    sa.Column('reversal_of_id', sa.Uuid(), nullable=True),
    sa.Column('is_posted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('(source_type IS NULL) = (source_id IS NULL)', name=op.f('ck_journal_entries_source')),
    sa.ForeignKeyConstraint(['tenant_id', 'reversal_of_id'], ['journal_entries.tenant_id', 'journal_entries.id'], name='fk_journal_entries_reversal_of', initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_journal_entries')),
    sa.UniqueConstraint('tenant_id', 'reversal_of_id', name=op.f('uq_journal_entries_tenant_id_reversal_of_id')),
    sa.UniqueConstraint('tenant_id', 'source_type', 'source_id', name=op.f('uq_journal_entries_tenant_id_source_type_source_id'))
    )
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.create_index('ix_journal_entries_tenant_entry_date', ['tenant_id', 'entry_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_entries_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('journal_lines',
    sa.Column('entry_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('debit', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('credit', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('party_id', sa.Uuid(), nullable=True),
    sa.Column('description', sa.String(length=200), nullable=True),
    sa.Column('tax_rate', sa.Numeric(precision=7, scale=4), nullable=True),
    sa.Column('tax_base', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('debit >= 0 AND credit >= 0 AND (debit = 0 OR credit = 0) AND debit + credit > 0', name=op.f('ck_journal_lines_amounts')),
    sa.ForeignKeyConstraint(['tenant_id', 'account_id'], ['accounts.tenant_id', 'accounts.id'], name=op.f('fk_journal_lines_tenant_id_account_id_accounts')),
    sa.ForeignKeyConstraint(['tenant_id', 'entry_id'], ['journal_entries.tenant_id', 'journal_entries.id'], name=op.f('fk_journal_lines_tenant_id_entry_id_journal_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_journal_lines'))
    )
    with op.batch_alter_table('journal_lines', schema=None) as batch_op:
        batch_op.create_index('ix_journal_lines_tenant_account', ['tenant_id', 'account_id'], unique=False)
        batch_op.create_index('ix_journal_lines_tenant_entry', ['tenant_id', 'entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_lines_tenant_id'), ['tenant_id'], unique=False)

    # ### end Alembic commands ###
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS journal_lines_balanced ON journal_lines")
        op.execute("DROP TRIGGER IF EXISTS journal_entries_balanced ON journal_entries")
        op.execute("DROP TRIGGER IF EXISTS journal_lines_immutable ON journal_lines")
        op.execute("DROP TRIGGER IF EXISTS journal_entries_immutable ON journal_entries")
        op.execute("DROP FUNCTION IF EXISTS journal_entry_check_balance()")
        op.execute("DROP FUNCTION IF EXISTS journal_refuse_posted_change()")
    else:
        for name in ("journal_entries_balanced_on_post", "journal_entries_posted_immutable", "journal_lines_posted_immutable"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('journal_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_lines_tenant_id'))
        batch_op.drop_index('ix_journal_lines_tenant_entry')
        batch_op.drop_index('ix_journal_lines_tenant_account')

    op.drop_table('journal_lines')
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_entries_tenant_id'))
        batch_op.drop_index('ix_journal_entries_tenant_entry_date')

    op.drop_table('journal_entries')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_tenant_id'))

    op.drop_table('accounts')
    # ### end Alembic commands ###
