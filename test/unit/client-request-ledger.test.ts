import { describe, expect, it } from 'vitest';
import { MAX_PENDING_REQUESTS, RequestLedger } from '../../client/connection/request-ledger.js';

describe('RequestLedger', () => {
  it('gives each command its own id and turns a refusal into an error toast naming the command', () => {
    const ledger = new RequestLedger();
    const baud = ledger.register('Baud rate 9600');
    const reset = ledger.register('Reset', 'Reset pulse sent (DTR/RTS).');
    expect(reset).toBeGreaterThan(baud);
    expect(ledger.settle({ id: baud, ok: false, code: 'not-open', message: 'the device is waiting' })).toEqual({
      tone: 'error',
      text: 'Baud rate 9600 refused: the device is waiting',
    });
    expect(ledger.settle({ id: reset, ok: true })).toEqual({ tone: 'info', text: 'Reset pulse sent (DTR/RTS).' });
    expect(ledger.size()).toBe(0);
  });

  it('words a refusal from its code when the server sends no message', () => {
    const ledger = new RequestLedger();
    const id = ledger.register('Modem lines');
    expect(ledger.settle({ id, ok: false, code: 'read-only' })?.text).toBe('Modem lines refused: this port is read-only');
  });

  it('stays quiet for an accepted command with nothing to say, and for ids it did not send', () => {
    const ledger = new RequestLedger();
    const id = ledger.register('Write pacing');
    expect(ledger.settle({ id, ok: true })).toBeNull();
    expect(ledger.settle({ id, ok: false, code: 'device' })).toBeNull(); // answered once already
    expect(ledger.settle({ id: 999, ok: false, code: 'device' })).toBeNull();
  });

  it('forgets commands that cannot be answered, and bounds what it keeps', () => {
    const ledger = new RequestLedger();
    const cancelled = ledger.register('Reset');
    ledger.cancel(cancelled);
    expect(ledger.settle({ id: cancelled, ok: false, code: 'device' })).toBeNull();
    const first = ledger.register('first');
    for (let i = 0; i < MAX_PENDING_REQUESTS; i++) ledger.register(`more ${i}`);
    expect(ledger.size()).toBe(MAX_PENDING_REQUESTS);
    expect(ledger.settle({ id: first, ok: false, code: 'device' })).toBeNull();
    ledger.clear();
    expect(ledger.size()).toBe(0);
  });
});
