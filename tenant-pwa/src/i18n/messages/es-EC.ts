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
};
