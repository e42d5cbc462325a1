"""init_views(): the one place that builds the back-office menu."""

from __future__ import annotations

from flask import Flask, g, request
from flask_appbuilder import IndexView, expose

from gestiq_app.tenancy.context import enter_platform_scope_for_request


class AdminIndexView(IndexView):
    """Back-office landing page."""

    index_template = "admin/index.html"

    @expose("/")
    def index(self) -> str:
        """Show the landing page."""
        return self.render_template(self.index_template, appbuilder=self.appbuilder)


def init_views(app: Flask) -> None:
    """Register every back-office view and menu entry."""
    from gestiq_app.accounting.admin import AccountSupportView, JournalEntrySupportView, JournalLineSupportView
    from gestiq_app.audit.admin import AuditEventView
    from gestiq_app.catalog.admin import PriceListView, ProductView
    from gestiq_app.crm.admin import CustomerView, SupplierView
    from gestiq_app.einvoicing.admin import EinvoiceSubmissionView
    from gestiq_app.extensions import appbuilder
    from gestiq_app.identity.admin import TenantUserView
    from gestiq_app.mail.admin import OutboundEmailView
    from gestiq_app.purchases.admin import PurchaseDocumentLineView, PurchaseSupportView, WithholdingSupportView
    from gestiq_app.pdf.admin import PdfExportView
    from gestiq_app.sales.admin import InvoiceSupportView, SalesDocumentLineView
    from gestiq_app.taxes.admin import TaxRateView
    from gestiq_app.tenancy.admin import PlanView, SectorTemplateView, TenantBillingView, TenantModuleView, TenantView

    appbuilder.add_view(TenantView, "Empresas", icon="fa-building", category="Plataforma", category_label="Plataforma")
    appbuilder.add_view(TenantUserView, "Usuarios de empresas", icon="fa-users", category="Plataforma")
    appbuilder.add_view(TenantModuleView, "Módulos por empresa", icon="fa-puzzle-piece", category="Plataforma")
    appbuilder.add_view(SectorTemplateView, "Plantillas sectoriales", icon="fa-industry", category="Plataforma")
    appbuilder.add_view(PlanView, "Planes", icon="fa-tags", category="Plataforma")
    appbuilder.add_view(TenantBillingView, "Facturación de empresas", icon="fa-credit-card", category="Plataforma")
    appbuilder.add_view(AuditEventView, "Auditoría", icon="fa-history", category="Plataforma")
    appbuilder.add_view(OutboundEmailView, "Correo saliente", icon="fa-envelope", category="Plataforma")
    appbuilder.add_view(TaxRateView, "Catálogo de impuestos", icon="fa-percent", category="Plataforma")
    appbuilder.add_view(CustomerView, "Clientes", icon="fa-address-book", category="Datos de empresas",
                        category_label="Datos de empresas")
    appbuilder.add_view(SupplierView, "Proveedores", icon="fa-truck", category="Datos de empresas")
    appbuilder.add_view(ProductView, "Productos", icon="fa-cubes", category="Datos de empresas")
    appbuilder.add_view(PriceListView, "Tarifas", icon="fa-list-alt", category="Datos de empresas")
    appbuilder.add_view(InvoiceSupportView, "Facturas", icon="fa-file-text-o", category="Ventas", category_label="Ventas")
    appbuilder.add_view_no_menu(SalesDocumentLineView)
    appbuilder.add_view(PurchaseSupportView, "Compras y gastos", icon="fa-shopping-cart", category="Compras", category_label="Compras")
    appbuilder.add_view(WithholdingSupportView, "Retenciones (EC)", icon="fa-scissors", category="Compras")
    appbuilder.add_view_no_menu(PurchaseDocumentLineView)
    appbuilder.add_view(JournalEntrySupportView, "Asientos contables", icon="fa-book", category="Contabilidad",
                        category_label="Contabilidad")
    appbuilder.add_view(AccountSupportView, "Planes de cuentas", icon="fa-sitemap", category="Contabilidad")
    appbuilder.add_view_no_menu(JournalLineSupportView)
    appbuilder.add_view(PdfExportView, "Exportaciones de PDF", icon="fa-file-archive-o", category="Ventas")
    from gestiq_app.ops.admin import JobMonitorView

    appbuilder.add_view(JobMonitorView, "Tareas en segundo plano", icon="fa-tasks", category="Plataforma")
    appbuilder.add_view(EinvoiceSubmissionView, "Envíos de facturación electrónica", icon="fa-paper-plane", category="Plataforma")
    from gestiq_app.payments.admin import PaymentProviderAccountView, PaymentSupportView, ProviderEventView

    appbuilder.add_view(PaymentSupportView, "Cobros", icon="fa-money", category="Ventas")
    appbuilder.add_view(PaymentProviderAccountView, "Proveedores de pago", icon="fa-credit-card-alt", category="Ventas")
    appbuilder.add_view(ProviderEventView, "Notificaciones de pago", icon="fa-bell", category="Ventas")
    from gestiq_app.imports.admin import ImportBatchView

    appbuilder.add_view(ImportBatchView, "Importaciones", icon="fa-upload", category="Plataforma")

    @app.before_request
    def _platform_scope_for_admin() -> None:
        # Back-office pages read across tenants: the whole request runs in platform scope
        # (reads logged by the access log with the admin's user id; writes audited by services).
        if request.path.startswith("/admin/") and not request.path.startswith("/admin/static/"):
            enter_platform_scope_for_request()
            user = getattr(g, "user", None)
            g.user_id = f"admin:{user.id}" if getattr(user, "is_authenticated", False) else None
