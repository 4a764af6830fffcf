// The strip that shows a paste or a file going out to the device, with a Stop button.
import { byId } from './dom.js';

/** The strip as the app drives it. */
export interface SendProgressView {
  /** Shows `label` and the bar at `fraction` (0..1). */
  show(label: string, fraction: number): void;
  hide(): void;
}

/** Binds #send-progress, its label, bar and #send-stop (which calls `stop`). */
export function bindSendProgress(doc: Document, stop: () => void): SendProgressView {
  const strip = byId(doc, 'send-progress', HTMLElement);
  const label = byId(doc, 'send-progress-label', HTMLElement);
  const bar = byId(doc, 'send-progress-bar', HTMLProgressElement);
  byId(doc, 'send-stop', HTMLButtonElement).addEventListener('click', stop);
  return {
    show(text, fraction) {
      strip.hidden = false;
      if (label.textContent !== text) label.textContent = text;
      bar.value = Math.min(1, Math.max(0, fraction));
    },
    hide() {
      strip.hidden = true;
    },
  };
}

/** `bytes` as a short size for people: 980 B, 12.3 KiB, 4.0 MiB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
