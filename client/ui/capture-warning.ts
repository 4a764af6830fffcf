// The warning strip under the toolbar while a port's capture is paused (disk full, directory unwritable).
import type { CaptureStatus } from '../../server/wire/api.js';
import { byId } from './dom.js';

/** Said when the server gives no reason for a pause. */
const UNKNOWN_PAUSE_REASON = 'the server cannot write to its data directory';

/** The warning for `capture` (null: not known yet), or null when nothing is wrong (capturing, or capture off by choice). */
export function captureWarningText(capture: CaptureStatus | null): string | null {
  if (capture?.state !== 'paused') return null;
  return `capture paused: ${capture.reason || UNKNOWN_PAUSE_REASON}; the console keeps working`;
}

/** The strip as the app drives it. */
export interface CaptureWarning {
  /** Shows the warning for `capture`, or hides the strip when there is none. */
  show(capture: CaptureStatus | null): void;
}

/** Binds #capture-warning. */
export function bindCaptureWarning(doc: Document): CaptureWarning {
  const strip = byId(doc, 'capture-warning', HTMLElement);
  return {
    show(capture) {
      const text = captureWarningText(capture);
      strip.hidden = text === null;
      if (text !== null && strip.textContent !== text) strip.textContent = text;
    },
  };
}
