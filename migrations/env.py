"""Alembic environment: migrate as the owner role, then re-apply RLS and grants derived from the models."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy import create_engine

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
migration_url = current_app.config["GESTIQ_MIGRATION_DATABASE_URL"]
runtime_url = current_app.config["GESTIQ_DATABASE_URL"]
config.set_main_option("sqlalchemy.url", migration_url.replace("%", "%%"))


def get_metadata():
    """Return the metadata that holds every model (ours and FAB's)."""
    return target_db.metadata


def include_object(obj, name, type_, reflected, compare_to):
    """Ignore tables that are not ours (e.g. Huey's or a foreign schema's)."""
    if type_ == "table" and reflected and compare_to is None:
        return False
    return True


def run_migrations_offline():
    """Emit the SQL of the migrations without a database."""
    context.configure(url=migration_url, target_metadata=get_metadata(), literal_binds=True, include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the migrations against the owner-role connection."""

    def process_revision_directives(context_, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.pop("render_as_batch", None)
    connectable = create_engine(migration_url)
    with connectable.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch operations rebuild tables (copy, drop, rename): with foreign keys enforced, dropping a table
            # that other rows refer to fails. Switch enforcement off for this connection (it only works outside
            # a transaction) and check every reference once the migrations have run.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=get_metadata(),
            include_object=include_object,
            render_as_batch=connection.dialect.name == "sqlite",
            **conf_args,
        )
        with context.begin_transaction():
            context.run_migrations()
            if connection.dialect.name == "postgresql" and not getattr(config.cmd_opts, "autogenerate", False):
                from gestiq_app.tenancy.rls import sync_row_level_security

                sync_row_level_security(connection, runtime_url=runtime_url, migration_url=migration_url)
            if connection.dialect.name == "sqlite":
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows whose foreign keys point nowhere: {broken[:5]}")
    connectable.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
