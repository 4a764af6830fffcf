// Strict reading of a number written as text: the whole token must be a number, unlike parseFloat
// ("12abc" is 12 to parseFloat, and "Temperature 21" would become data). Arduino's Serial.print of
// a float prints `nan`, `inf` or `ovf` when the reading failed; those read as NaN / ±Infinity so a
// failed sensor read does not turn a data line into text.

const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const HEX = /^0[xX][0-9a-fA-F]+$/;

/** The number `token` spells (decimal, exponent, 0x hex, or Arduino's nan/inf/ovf), else null. Surrounding whitespace is not allowed. */
export function parseNumberToken(token: string): number | null {
  if (token.length === 0 || token.length > 64) return null;
  if (DECIMAL.test(token)) return Number(token);
  if (HEX.test(token)) return Number.parseInt(token.slice(2), 16);
  switch (token.toLowerCase()) {
    case 'nan':
    case '-nan':
      return Number.NaN;
    case 'inf':
    case '+inf':
    case 'ovf':
      return Number.POSITIVE_INFINITY;
    case '-inf':
      return Number.NEGATIVE_INFINITY;
    default:
      return null;
  }
}
