// The card over the console that says why there is no output (bug 8): the device's problem and its fix,
// or that it was released for flashing (with Reclaim). Readable on a phone, unlike the pill's tooltip.
import type { DeviceProblem } from './device-problem.js';
import { byId } from './dom.js';

/** The card as the app drives it. */
export interface DeviceCard {
  /** Shows `problem`, or hides the card (null). */
  show(problem: DeviceProblem | null): void;
}

/** Binds #device-card and its parts; `reclaim` runs when its Reclaim button is pressed. */
export function bindDeviceCard(doc: Document, reclaim: () => void): DeviceCard {
  const card = byId(doc, 'device-card', HTMLElement);
  const title = byId(doc, 'device-card-title', HTMLElement);
  const reason = byId(doc, 'device-card-reason', HTMLElement);
  const fix = byId(doc, 'device-card-fix', HTMLElement);
  const reclaimButton = byId(doc, 'device-card-reclaim', HTMLButtonElement);
  reclaimButton.addEventListener('click', reclaim);
  const setText = (el: HTMLElement, text: string): void => {
    if (el.textContent !== text) el.textContent = text; // unchanged text is not announced again
  };
  return {
    show(problem) {
      card.hidden = problem === null;
      if (problem === null) return;
      card.dataset.kind = problem.kind;
      setText(title, problem.title);
      setText(reason, problem.reason);
      setText(fix, problem.fix ?? '');
      fix.hidden = problem.fix === null;
      reclaimButton.hidden = problem.kind !== 'released';
    },
  };
}
