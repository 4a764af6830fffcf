// Which views show: on a desktop wide enough, any mix of console, tiles and plot side by side (the
// switcher's buttons toggle them); on a narrow screen, one at a time (the last one picked).
import type { KeyValueStore } from '../ui/storage.js';

/** The page's views. */
export type ViewName = 'console' | 'tiles' | 'plot';
/** Every view, in the switcher's order. */
export const VIEW_NAMES: readonly ViewName[] = ['console', 'tiles', 'plot'];

/** The person's choice: the views toggled on (wide screens), and the one in front (narrow screens). */
export interface ViewChoice {
  picked: ViewName[];
  front: ViewName;
}

/** Where the choice is kept (JSON), per browser like the other preferences. */
export const VIEW_CHOICE_KEY = 'serialdeck.views';
/** A new page shows the console alone, as before there were other views. */
export const DEFAULT_VIEW_CHOICE: ViewChoice = { picked: ['console'], front: 'console' };

/** The views shown for `choice`: all picked ones when `wide`, else the front one. */
export function shownViews(choice: ViewChoice, wide: boolean): Set<ViewName> {
  return new Set(wide ? choice.picked : [choice.front]);
}

/**
 * The choice after a press on `view`'s button. Wide: toggles it (never leaving none shown) and brings
 * it to the front when it turns on. Narrow: brings it to the front, and turns it on for wide screens too.
 */
export function pressView(choice: ViewChoice, view: ViewName, wide: boolean): ViewChoice {
  const on = choice.picked.includes(view);
  if (!wide) return { picked: on ? choice.picked : ordered([...choice.picked, view]), front: view };
  if (!on) return { picked: ordered([...choice.picked, view]), front: view };
  const picked = choice.picked.filter((v) => v !== view);
  if (picked.length === 0) return choice;
  return { picked, front: choice.front === view ? picked[0]! : choice.front };
}

/** The stored choice, or the default when there is none or it is malformed. */
export function loadViewChoice(store: KeyValueStore): ViewChoice {
  try {
    const raw = JSON.parse(store.getItem(VIEW_CHOICE_KEY) ?? 'null') as Partial<ViewChoice> | null;
    const picked = Array.isArray(raw?.picked) ? ordered(raw.picked.filter(isViewName)) : [];
    const front = isViewName(raw?.front) ? raw.front : picked[0];
    if (picked.length === 0 || front === undefined) return DEFAULT_VIEW_CHOICE;
    return { picked: picked.includes(front) ? picked : ordered([...picked, front]), front };
  } catch {
    return DEFAULT_VIEW_CHOICE;
  }
}

/** Keeps `choice` for the next visit. */
export function saveViewChoice(store: KeyValueStore, choice: ViewChoice): void {
  store.setItem(VIEW_CHOICE_KEY, JSON.stringify(choice));
}

/** True for a view name. */
export function isViewName(value: unknown): value is ViewName {
  return (VIEW_NAMES as readonly unknown[]).includes(value);
}

function ordered(views: ViewName[]): ViewName[] {
  return VIEW_NAMES.filter((v) => views.includes(v));
}
