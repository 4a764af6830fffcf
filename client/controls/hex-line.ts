// Hex input: a typed line read as bytes in hexadecimal ("01 03 00 0A", "0x48,0x69", "48690d0a"),
// for devices that speak binary frames (Modbus RTU, bootloaders). Written by hand: the rules are a
// few lines, and what a person needs back is where their typing went wrong.

/** The bytes `text` spells in hex: pairs of digits, optionally 0x-prefixed, apart or run together (spaces, commas, colons, dashes between); or why not. */
export function parseHexLine(text: string): { bytes: Uint8Array } | { error: string } {
  const digits: string[] = [];
  const tokens = text.trim().split(/[\s,:;-]+/).filter((token) => token !== '');
  if (tokens.length === 0) return { error: 'type bytes in hex, e.g. 48 69 0D 0A' };
  for (const token of tokens) {
    const body = /^0x/i.test(token) ? token.slice(2) : token;
    const bad = /[^0-9a-f]/i.exec(body);
    if (bad || body === '') return { error: `"${token}" is not hex: use 0-9 and A-F, two digits a byte` };
    if (body.length % 2 !== 0) return { error: `"${token}" has an odd number of hex digits: write a byte as two (0A, not A)` };
    digits.push(body);
  }
  const all = digits.join('');
  const bytes = new Uint8Array(all.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(all.slice(2 * i, 2 * i + 2), 16);
  return { bytes };
}
