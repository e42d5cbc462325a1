import type { MessageKey } from './es';

// Ecuadorian Spanish: only the words that differ from Spain's; everything else falls back to `es`.
export const esEC: Partial<Record<MessageKey, string>> = {
  'nav.settings': 'Configuración',
  'login.forgot': '¿Olvidaste tu contraseña?',
  'login.tenantHint': 'El identificador de tu empresa en GestiQCloud, p. ej. “mi-empresa”.',
  'login.totpHelp': 'Ingresa el código de 6 dígitos de tu aplicación de autenticación.',
  'reset.help': 'Te enviaremos un enlace para que elijas una contraseña nueva.',
  'reset.sent': 'Si la cuenta existe, recibirás un correo con un enlace para restablecer tu contraseña.',
  'reset.done': 'Contraseña cambiada. Ya puedes ingresar.',
  'invite.done': 'Cuenta creada. Ya puedes ingresar.',
  'login.submit': 'Ingresar',
  'login.submitting': 'Ingresando…',
  'login.title': 'Ingresar',
  'form.backToLogin': 'Volver a ingresar',

  'party.taxIdTypeAuto': 'Detectar automáticamente',
  'product.taxCategory': 'Tarifa de IVA',
  'product.sku': 'Código',
  'form.notANumber': 'Ingresa un número (p. ej. 12,50).',
  'doc.addLine': 'Agregar línea',
  'settings.addSeries': 'Agregar serie',
  'doc.noLines': 'Agrega al menos una línea.',
  'doc.creditNote': 'Nota de crédito',
  'doc.createCreditNote': 'Crear nota de crédito',
  'doc.creditCreated': 'Nota de crédito creada como borrador.',
  'doc.creditNoteDraft': 'Nota de crédito (borrador)',
  'settings.kind.credit_note': 'Nota de crédito',
  'doc.dueDate': 'Fecha de vencimiento',
};
