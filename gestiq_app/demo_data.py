"""Demo customers, suppliers and products of demo-es and demo-ec (fictitious names, valid tax ids)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

D = Decimal


def _address(street: str, city: str, postal_code: str, province: str, country: str) -> dict[str, str]:
    return {"street": street, "city": city, "postal_code": postal_code, "province": province, "country": country}


ES_CUSTOMERS: list[dict[str, Any]] = [
    {"legal_name": "Supermercados Alameda S.L.", "tax_id": "B17195835", "email": "compras@alameda.test", "phone": "+34 972 100 200",
     "address": _address("Avinguda Jaume I 12", "Girona", "17001", "Girona", "ES"), "payment_terms_days": 30, "tags": ["mayorista"],
     "contacts": [{"name": "Marta Puig", "role": "Compras", "email": "marta@alameda.test"}]},
    {"legal_name": "Hostelería del Turia S.L.", "trade_name": "Bar Turia", "tax_id": "B91497321", "email": "admin@barturia.test",
     "address": _address("Calle de la Paz 8", "Valencia", "46003", "Valencia", "ES"), "payment_terms_days": 15, "tags": ["horeca"]},
    {"legal_name": "Ultramarinos Pilar Gómez", "tax_id": "24942603T", "has_recargo_equivalencia": True, "phone": "+34 976 555 010",
     "address": _address("Calle Mayor 3", "Zaragoza", "50001", "Zaragoza", "ES"), "tags": ["minorista"],
     "notes": "Comerciante minorista en recargo de equivalencia."},
    {"legal_name": "Frutería Jorge Ramos", "tax_id": "13356886G", "has_recargo_equivalencia": True,
     "address": _address("Plaza del Mercado 5", "Santander", "39001", "Cantabria", "ES"), "tags": ["minorista"]},
    {"legal_name": "Comercial Ibérica de Alimentación S.A.", "tax_id": "A04999140", "email": "pedidos@iberica.test",
     "address": _address("Polígono La Cañada, nave 4", "Almería", "04001", "Almería", "ES"), "payment_terms_days": 60,
     "tags": ["mayorista", "vip"]},
    {"legal_name": "Asociación Cultural Los Olivos", "tax_id": "G36681369",
     "address": _address("Rúa do Príncipe 20", "Vigo", "36202", "Pontevedra", "ES")},
    {"legal_name": "Épicerie Fine Dupont SARL", "tax_id": "FR27512345678", "tax_id_type": "vat_eu", "email": "achats@dupont.test",
     "address": _address("12 rue Sainte-Catherine", "Bordeaux", "33000", "Gironde", "FR"), "payment_terms_days": 45, "tags": ["exportación"]},
    {"legal_name": "Ivan Petrov", "tax_id": "X4744854T", "email": "ivan.petrov@correo.test",
     "address": _address("Calle Larios 2", "Málaga", "29005", "Málaga", "ES")},
]
ES_SUPPLIERS: list[dict[str, Any]] = [
    {"legal_name": "Aceites Sierra Mágina S.C.A.", "tax_id": "B14585913", "email": "ventas@sierramagina.test", "payment_terms_days": 30,
     "address": _address("Carretera de Jaén km 3", "Jódar", "23500", "Jaén", "ES")},
    {"legal_name": "Transportes Ebro Logística S.L.", "tax_id": "B99068207", "payment_terms_days": 60,
     "address": _address("Plataforma Logística PLAZA, calle C", "Zaragoza", "50197", "Zaragoza", "ES")},
    {"legal_name": "Asesoría Fiscal Carmen Ruiz", "tax_id": "46913810C", "is_irpf_professional": True, "email": "carmen@asesoria.test",
     "address": _address("Calle Alcalá 100", "Madrid", "28009", "Madrid", "ES")},
    {"legal_name": "Embalajes Atlántico Lda.", "tax_id": "PT508012345", "tax_id_type": "vat_eu",
     "address": _address("Rua de Santa Catarina 50", "Porto", "4000-442", "Porto", "PT")},
]
ES_PRODUCTS: list[dict[str, Any]] = [
    {"sku": "ALI-001", "name": "Pan de pueblo 500 g", "unit_price": D("1.20"), "cost": D("0.55"), "tax_category": "superreducido",
     "category": "Panadería", "barcode": "8400000000017"},
    {"sku": "ALI-002", "name": "Leche entera 1 l", "unit_price": D("0.95"), "cost": D("0.62"), "tax_category": "superreducido",
     "category": "Lácteos", "barcode": "8400000000024"},
    {"sku": "ALI-003", "name": "Huevos camperos, docena", "unit_price": D("3.10"), "tax_category": "superreducido", "category": "Frescos"},
    {"sku": "ALI-004", "name": "Naranjas de Valencia, caja 10 kg", "unit_price": D("12.50"), "unit": "caja", "tax_category": "superreducido",
     "category": "Frescos"},
    {"sku": "ALI-005", "name": "Queso manchego curado", "unit_price": D("18.9000"), "unit": "kg", "tax_category": "superreducido",
     "category": "Lácteos"},
    {"sku": "ALI-010", "name": "Café molido natural 250 g", "unit_price": D("3.45"), "cost": D("2.10"), "tax_category": "reducido",
     "category": "Desayuno", "barcode": "8400000000031"},
    {"sku": "ALI-011", "name": "Agua mineral 1,5 l, pack 6", "unit_price": D("2.40"), "unit": "pack", "tax_category": "reducido",
     "category": "Bebidas"},
    {"sku": "ALI-012", "name": "Jamón serrano loncheado 100 g", "unit_price": D("2.9900"), "tax_category": "reducido", "category": "Charcutería"},
    {"sku": "ALI-013", "name": "Galletas María 800 g", "unit_price": D("1.85"), "tax_category": "reducido", "category": "Desayuno"},
    {"sku": "BEB-001", "name": "Vino tinto Rioja crianza 75 cl", "unit_price": D("7.80"), "cost": D("4.20"), "tax_category": "general",
     "category": "Bebidas"},
    {"sku": "LIM-001", "name": "Detergente líquido 3 l", "unit_price": D("6.25"), "tax_category": "general", "category": "Limpieza"},
    {"sku": "LIM-002", "name": "Papel de cocina, pack 4", "unit_price": D("3.15"), "unit": "pack", "tax_category": "general", "category": "Limpieza"},
    {"sku": "SRV-001", "name": "Transporte refrigerado por ruta", "kind": "service", "unit": "servicio", "unit_price": D("85.00"),
     "tax_category": "general", "category": "Servicios"},
    {"sku": "SRV-002", "name": "Montaje de expositor", "kind": "service", "unit": "hora", "unit_price": D("32.50"), "tax_category": "general",
     "category": "Servicios"},
    {"sku": "SRV-003", "name": "Catering para eventos (por comensal)", "kind": "service", "unit": "comensal", "unit_price": D("24.00"),
     "tax_category": "reducido", "category": "Servicios"},
]

EC_CUSTOMERS: list[dict[str, Any]] = [
    {"legal_name": "Consumidor final", "tax_id": "9999999999999", "notes": "Cliente genérico para ventas sin identificar."},
    {"legal_name": "Corporación Andina de Alimentos S.A.", "tax_id": "1797027290001", "is_contribuyente_especial": True,
     "email": "compras@andina.test", "address": _address("Av. Amazonas N34-120", "Quito", "170135", "Pichincha", "EC"),
     "payment_terms_days": 30, "tags": ["mayorista", "vip"]},
    {"legal_name": "Distribuidora del Pacífico Cía. Ltda.", "tax_id": "0992799463001", "email": "pedidos@pacifico.test",
     "address": _address("Av. 9 de Octubre 1200", "Guayaquil", "090313", "Guayas", "EC"), "payment_terms_days": 45, "tags": ["mayorista"]},
    {"legal_name": "Tienda Doña Rosa", "tax_id": "0903413169001", "is_rimpe": True, "phone": "+593 4 230 1100",
     "address": _address("Calle Rumichaca 512", "Guayaquil", "090306", "Guayas", "EC"), "tags": ["minorista"]},
    {"legal_name": "María Fernanda Cevallos", "tax_id": "1718908385", "email": "mfcevallos@correo.test",
     "address": _address("Calle Juan León Mera 45", "Quito", "170143", "Pichincha", "EC")},
    {"legal_name": "Luis Alberto Paredes", "tax_id": "0156542359", "address": _address("Calle Larga 7-32", "Cuenca", "010101", "Azuay", "EC")},
    {"legal_name": "Hotel Mitad del Mundo S.A.", "tax_id": "1799821539001", "email": "compras@hotelmitad.test", "payment_terms_days": 15,
     "tags": ["horeca"]},
    {"legal_name": "John Miller", "tax_id": "X12345678", "tax_id_type": "passport", "notes": "Turista; factura con pasaporte."},
]
EC_SUPPLIERS: list[dict[str, Any]] = [
    {"legal_name": "Hacienda Cafetera de Loja S.A.", "tax_id": "0197359110001", "payment_terms_days": 30,
     "address": _address("Vía a Vilcabamba km 5", "Loja", "110150", "Loja", "EC")},
    {"legal_name": "Lácteos de la Sierra Cía. Ltda.", "tax_id": "0997167511001", "is_contribuyente_especial": True, "payment_terms_days": 15},
    {"legal_name": "Transportes Manabí", "tax_id": "1396795147001", "is_rimpe": True},
    {"legal_name": "Pedro Vélez, artesano", "tax_id": "1744959311001", "is_rimpe": True, "email": "pvelez@correo.test"},
]
EC_PRODUCTS: list[dict[str, Any]] = [
    {"sku": "EC-ALI-001", "name": "Arroz flor 2 kg", "unit_price": D("2.60"), "cost": D("1.90"), "tax_category": "cero", "category": "Granos"},
    {"sku": "EC-ALI-002", "name": "Leche entera funda 1 l", "unit_price": D("0.90"), "tax_category": "cero", "category": "Lácteos"},
    {"sku": "EC-ALI-003", "name": "Pan de yuca, docena", "unit_price": D("3.00"), "tax_category": "cero", "category": "Panadería"},
    {"sku": "EC-ALI-004", "name": "Banano de exportación, caja 18 kg", "unit_price": D("7.50"), "unit": "caja", "tax_category": "cero",
     "category": "Frutas"},
    {"sku": "EC-ALI-005", "name": "Huevos, cubeta de 30", "unit_price": D("4.25"), "tax_category": "cero", "category": "Frescos"},
    {"sku": "EC-ALI-006", "name": "Quinua orgánica 500 g", "unit_price": D("3.80"), "tax_category": "cero", "category": "Granos"},
    {"sku": "EC-ALI-010", "name": "Café tostado de Loja 454 g", "unit_price": D("8.9000"), "cost": D("5.10"), "tax_category": "general",
     "category": "Café", "barcode": "7860000000019"},
    {"sku": "EC-ALI-011", "name": "Chocolate fino de aroma 70 %", "unit_price": D("4.50"), "tax_category": "general", "category": "Dulces"},
    {"sku": "EC-BEB-001", "name": "Agua sin gas 625 ml", "unit_price": D("0.5000"), "tax_category": "general", "category": "Bebidas"},
    {"sku": "EC-LIM-001", "name": "Jabón de lavar, barra", "unit_price": D("0.85"), "tax_category": "general", "category": "Limpieza"},
    {"sku": "EC-CON-001", "name": "Bloque de hormigón 15 cm", "unit_price": D("0.4500"), "tax_category": "reducido",
     "category": "Construcción"},
    {"sku": "EC-CON-002", "name": "Cemento gris, saco 50 kg", "unit_price": D("8.10"), "unit": "saco", "tax_category": "reducido",
     "category": "Construcción"},
    {"sku": "EC-SRV-001", "name": "Entrega a domicilio", "kind": "service", "unit": "servicio", "unit_price": D("3.50"),
     "tax_category": "general", "category": "Servicios"},
    {"sku": "EC-SRV-002", "name": "Mantenimiento de refrigeradores", "kind": "service", "unit": "hora", "unit_price": D("15.00"),
     "tax_category": "general", "category": "Servicios"},
    {"sku": "EC-SRV-003", "name": "Capacitación en buenas prácticas de manufactura", "kind": "service", "unit": "hora",
     "unit_price": D("40.00"), "tax_category": "general", "category": "Servicios"},
]

#: Per demo tenant: customers, suppliers and products created by `seed_demo()` when missing.
DEMO_DATA: dict[str, dict[str, list[dict[str, Any]]]] = {
    "demo-es": {"customers": ES_CUSTOMERS, "suppliers": ES_SUPPLIERS, "products": ES_PRODUCTS},
    "demo-ec": {"customers": EC_CUSTOMERS, "suppliers": EC_SUPPLIERS, "products": EC_PRODUCTS},
}
