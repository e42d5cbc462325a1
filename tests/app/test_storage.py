"""Per-tenant file storage: isolation by tenant folder, key validation, atomic writes, erasure."""

import io
import uuid

import pytest

from gestiq_app import storage


@pytest.fixture
def two_tenants(app_context):
    return uuid.uuid4(), uuid.uuid4()


def test_files_are_kept_per_tenant(two_tenants):
    a, b = two_tenants
    assert storage.put_bytes(a, "invoices/2026/F-1.pdf", b"%PDF-a") == 6
    storage.put_bytes(b, "invoices/2026/F-1.pdf", b"%PDF-bb")
    assert storage.read_bytes(a, "invoices/2026/F-1.pdf") == b"%PDF-a"
    assert storage.read_bytes(b, "invoices/2026/F-1.pdf") == b"%PDF-bb"
    assert [key for key, _ in storage.iter_files(a)] == ["invoices/2026/F-1.pdf"]
    assert storage.exists(a, "invoices/2026/F-1.pdf") and not storage.exists(a, "invoices/2026/F-2.pdf")
    with storage.open_read(a, "invoices/2026/F-1.pdf") as handle:
        assert handle.read() == b"%PDF-a"


@pytest.mark.parametrize("key", ["", "../x", "a/../../x", "/etc/passwd", "a\\b", "a//b", ".hidden", "a/\x00b", "a/ b"])
def test_unsafe_keys_are_refused(two_tenants, key):
    a, _ = two_tenants
    with pytest.raises(ValueError):
        storage.put_bytes(a, key, b"x")


def test_a_stream_over_the_limit_leaves_nothing(two_tenants):
    a, _ = two_tenants
    with pytest.raises(ValueError, match="larger than 10 bytes"):
        storage.put_stream(a, "uploads/big.csv", io.BytesIO(b"x" * 11), max_bytes=10)
    assert not storage.exists(a, "uploads/big.csv")
    assert list(storage.iter_files(a)) == []


def test_delete_and_delete_tenant(two_tenants):
    a, b = two_tenants
    storage.put_bytes(a, "one.txt", b"1")
    storage.put_bytes(a, "dir/two.txt", b"2")
    storage.put_bytes(b, "one.txt", b"1")
    assert storage.delete(a, "one.txt") is True
    assert storage.delete(a, "one.txt") is False
    assert storage.delete_tenant(a) == 1
    assert list(storage.iter_files(a)) == []
    assert [key for key, _ in storage.iter_files(b)] == ["one.txt"]
