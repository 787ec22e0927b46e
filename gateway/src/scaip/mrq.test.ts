/** The <mrq> parser: lenient with field units, strict where safety needs it. */
import { describe, expect, it } from 'vitest';
import { MRQ_MAX_BYTES, parseMrq } from './mrq.js';

const parse = (s: string | Buffer) => parseMrq(Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8'));

describe('parseMrq', () => {
  it('reads the tags in any order, with the defaults the standard gives', () => {
    const r = parse('<mrq><dty>0003</dty><cid>123456</cid><ref>1234</ref><stc>0010</stc></mrq>');
    expect(r).toEqual({ ok: true, mrq: { ref: '1234', ver: '01.00', mty: 'ME', cid: '123456', dty: 3, stc: 10, crd: [] } });
  });

  it('is lenient: spaces, short codes, a namespace prefix or default namespace, a declaration', () => {
    for (const body of [
      '<?xml version="1.0" encoding="UTF-8"?><mrq><ref> 16charsABCDEFGHI </ref><cid> 8031372</cid><dty>2</dty></mrq>'.replace(
        '16charsABCDEFGHI',
        'ABCDEFGHIJKLMNOP',
      ),
      '<s:mrq xmlns:s="urn:x"><s:ref>ABCDEFGHIJKLMNOP</s:ref><s:cid>8031372</s:cid><s:dty>02</s:dty></s:mrq>',
      '<mrq xmlns="urn:y"><ref>ABCDEFGHIJKLMNOP</ref><cid>8031372</cid><dty>0002</dty><unknown>x</unknown></mrq>',
    ]) {
      expect(parse(body)).toMatchObject({ ok: true, mrq: { ref: 'ABCDEFGHIJKLMNOP', cid: '8031372', dty: 2 } });
    }
  });

  it('reads the optional tags: repeated crd, location, position, texts (clipped), priority', () => {
    const r = parse(
      `<mrq><ref>1</ref><cid>1</cid><dty>5</dty><mty>in</mty><did>07</did><dco>002</dco><crd>gsm:+4712345678</crd><crd>sip:a@b</crd>
       <lco>021</lco><lte>kjøkken</lte><lge><geo>59.91,10.75</geo><tim>2026-01-01T00:00:00Z</tim></lge><pri>9</pri>
       <dte>${'é'.repeat(40)}</dte><cha>1</cha><stt>fell &amp; hurt</stt></mrq>`,
    );
    expect(r).toMatchObject({
      ok: true,
      mrq: {
        mty: 'IN',
        did: '07',
        dco: '002',
        crd: ['gsm:+4712345678', 'sip:a@b'],
        lco: '021',
        lte: 'kjøkken',
        geo: { lat: 59.91, lon: 10.75 },
        pri: 9,
        cha: 1,
        dte: 'é'.repeat(32),
        stt: 'fell & hurt',
      },
    });
  });

  it.each([
    ['a missing ref', '<mrq><cid>1</cid><dty>3</dty></mrq>', 7, null],
    ['a missing cid', '<mrq><ref>R</ref><dty>3</dty></mrq>', 7, 'R'],
    ['a missing dty', '<mrq><ref>R</ref><cid>1</cid></mrq>', 7, 'R'],
    ['an empty cid', '<mrq><ref>R</ref><cid/><dty>3</dty></mrq>', 7, 'R'],
    ['a ref over 64 characters', `<mrq><ref>${'A'.repeat(65)}</ref><cid>1</cid><dty>3</dty></mrq>`, 2, 'A'.repeat(65)],
    ['a ref with a space', '<mrq><ref>A B</ref><cid>1</cid><dty>3</dty></mrq>', 2, 'A B'],
    ['a non-digit cid', '<mrq><ref>R</ref><cid>12a</cid><dty>3</dty></mrq>', 2, 'R'],
    ['a nested element as a known value', '<mrq><ref>R</ref><cid><x>1</x></cid><dty>3</dty></mrq>', 2, 'R'],
    ['an encoding Trygg does not read', '<?xml version="1.0" encoding="EBCDIC-CP-US"?><mrq><ref>R</ref></mrq>', 2, 'R'],
    ['an unknown mty', '<mrq><ref>R</ref><cid>1</cid><dty>3</dty><mty>ZZ</mty></mrq>', 3, 'R'],
    ['a priority out of range', '<mrq><ref>R</ref><cid>1</cid><dty>3</dty><pri>12</pri></mrq>', 3, 'R'],
    ['not XML', 'hello', 2, null],
    ['a wrong root', '<mrs><ref>R</ref></mrs>', 2, 'R'],
    ['two roots', '<mrq><ref>R</ref></mrq><mrq/>', 2, 'R'],
    ['unclosed', '<mrq><ref>R</ref><cid>1</cid>', 2, 'R'],
    ['CDATA', '<mrq><ref>R</ref><cid>1</cid><dty><![CDATA[3]]></dty></mrq>', 2, 'R'],
  ])('answers %s with snu %i', (_what, body, snu, ref) => {
    expect(parse(body)).toMatchObject({ ok: false, snu, ref });
  });

  it('refuses DTDs before parsing: billion laughs and external entities never expand', () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">${Array.from(
      { length: 9 },
      (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`,
    ).join('')}]><mrq><ref>R</ref><cid>1</cid><dty>3</dty><dte>&j;</dte></mrq>`;
    expect(parse(laughs)).toMatchObject({ ok: false, snu: 2, ref: 'R' });
    const xxe =
      '<!DOCTYPE mrq [<!ENTITY x SYSTEM "file:///etc/passwd">]><mrq><ref>R</ref><cid>1</cid><dty>3</dty><dte>&x;</dte></mrq>';
    expect(parse(xxe)).toMatchObject({ ok: false, snu: 2 });
    // An undeclared entity stays text; it is never looked up.
    expect(parse('<mrq><ref>R</ref><cid>1</cid><dty>3</dty><dte>&x;</dte></mrq>')).toMatchObject({
      ok: true,
      mrq: { dte: '&x;' },
    });
  });

  it('refuses oversized bodies with snu 2, still naming the ref', () => {
    expect(parse(`<mrq><ref>R</ref><cid>1</cid><dty>3</dty><dte>${'x'.repeat(MRQ_MAX_BYTES)}</dte></mrq>`)).toMatchObject({
      ok: false,
      snu: 2,
      ref: 'R',
    });
  });

  it('decodes the body as its declaration says: ISO-8859-1, Windows-1252, UTF-16 by BOM', () => {
    const latin1 = Buffer.from(
      '<?xml version="1.0" encoding="ISO-8859-1"?><mrq><ref>R</ref><cid>1</cid><dty>3</dty><lte>Kjøkken</lte></mrq>',
      'latin1',
    );
    expect(parse(latin1)).toMatchObject({ ok: true, mrq: { lte: 'Kjøkken' } });
    const cp1252 = Buffer.from([
      ...Buffer.from("<?xml version='1.0' encoding='windows-1252'?><mrq><ref>R</ref><cid>1</cid><dty>3</dty><stt>"),
      0x80, // € in Windows-1252
      ...Buffer.from('</stt></mrq>'),
    ]);
    expect(parse(cp1252)).toMatchObject({ ok: true, mrq: { stt: '€' } });
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('<mrq><ref>R</ref><cid>1</cid><dty>3</dty><lte>Kjøkken</lte></mrq>', 'utf16le'),
    ]);
    expect(parse(utf16)).toMatchObject({ ok: true, mrq: { lte: 'Kjøkken' } });
  });

  it('reads Latin-1 labelled (or not) as UTF-8 as Windows-1252 rather than lose the alarm', () => {
    const bad = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="UTF-8"?><mrq><ref>R</ref><cid>1</cid><dty>3</dty><lte>Kj'),
      Buffer.from([0xf8]),
      Buffer.from('kken</lte></mrq>'),
    ]);
    expect(parse(bad)).toMatchObject({ ok: true, mrq: { lte: 'Kjøkken', decodedAs: 'windows-1252 (declared UTF-8)' } });
  });

  it('drops stray bytes around the document: CRLFs before the declaration, NULs after the root', () => {
    const body = Buffer.concat([
      Buffer.from('\r\n<?xml version="1.0"?><mrq><ref>R</ref><cid>1</cid><dty>3</dty></mrq>\r\n'),
      Buffer.from([0, 0]),
    ]);
    expect(parse(body)).toMatchObject({ ok: true, mrq: { ref: 'R' } });
  });

  it('ignores vendor elements, simple or nested, and keeps them for the record', () => {
    const r = parse('<mrq><ref>R</ref><ext><bat>87</bat><sig q="1">-71</sig></ext><cid>1</cid><dty>3</dty><vendorFlag/></mrq>');
    expect(r).toEqual({
      ok: true,
      mrq: {
        ref: 'R',
        ver: '01.00',
        mty: 'ME',
        cid: '1',
        dty: 3,
        crd: [],
        extensions: { 'ext/bat': '87', 'ext/sig': '-71', vendorFlag: '' },
      },
    });
  });

  it('takes refs longer than the standard says, up to 64 printable characters', () => {
    const ref = 'ABCDEFGHIJKLMNOPQRSTUVWX'; // 24, as one make sends
    expect(parse(`<mrq><ref>${ref}</ref><cid>1</cid><dty>3</dty></mrq>`)).toMatchObject({ ok: true, mrq: { ref } });
    expect(parse('<mrq><ref>unit-7_r:12</ref><cid>1</cid><dty>3</dty></mrq>')).toMatchObject({
      ok: true,
      mrq: { ref: 'unit-7_r:12' },
    });
  });

  it('cleans texts of NULs, control characters and lone surrogates instead of refusing', () => {
    const r = parse('<mrq><ref>R</ref><cid>1</cid><dty>3</dty><stt>fall\u0000 detected\u0007</stt><lte>&#xD800;bad</lte></mrq>');
    expect(r).toMatchObject({ ok: true, mrq: { stt: 'fall detected', lte: '\uFFFDbad' } });
  });
});
