"""Payment providers behind one interface (`base.PaymentProvider`): Stripe, Payphone and Kushki."""

from __future__ import annotations

from gestiq_app.payments.providers.base import PaymentProvider


def provider_for(name: str, secrets: dict[str, str], settings: dict[str, object]) -> PaymentProvider:
    """Build the client of a provider with the tenant's decrypted secrets and public settings."""
    from gestiq_app.payments.providers.kushki import KushkiProvider
    from gestiq_app.payments.providers.payphone import PayphoneProvider
    from gestiq_app.payments.providers.stripe_provider import StripeProvider

    classes: dict[str, type[PaymentProvider]] = {"stripe": StripeProvider, "payphone": PayphoneProvider, "kushki": KushkiProvider}
    return classes[name](secrets, settings)
