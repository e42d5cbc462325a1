import { describe, expect, it } from 'vitest';
import { einvoiceMessages, einvoiceTone } from '../src/ui/pages/EInvoicing';

describe('einvoiceTone', () => {
  it('tells final good, final bad and in progress apart', () => {
    expect(['authorized', 'accepted', 'recorded'].map(einvoiceTone)).toEqual(['success', 'success', 'success']);
    expect(['rejected', 'failed'].map(einvoiceTone)).toEqual(['danger', 'danger']);
    expect(['pending', 'sending', 'retry_wait'].map(einvoiceTone)).toEqual(['pending', 'pending', 'pending']);
  });
});

describe('einvoiceMessages', () => {
  it('prints SRI-style and normalised messages', () => {
    expect(
      einvoiceMessages([
        { identificador: '43', mensaje: 'CLAVE ACCESO REGISTRADA', informacionAdicional: 'ya existe' },
        { code: '1100', message: 'NIF no identificado' },
      ]),
    ).toEqual(['43: CLAVE ACCESO REGISTRADA (ya existe)', '1100: NIF no identificado']);
  });

  it('falls back to the values of an unknown shape, and to nothing', () => {
    expect(einvoiceMessages([{ foo: 'a', bar: 'b' }])).toEqual(['a · b']);
    expect(einvoiceMessages(null)).toEqual([]);
  });
});
