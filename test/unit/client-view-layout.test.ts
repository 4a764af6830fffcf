import { describe, expect, it } from 'vitest';
import { BucketRing } from '../../client/views/bucket-ring.js';
import { DisposableStore, toDisposable } from '../../client/views/disposables.js';
import { bucketsForWidth, joinSeries, ServerClock, seriesColor } from '../../client/views/plot-data.js';
import { DEFAULT_VIEW_CHOICE, loadViewChoice, pressView, saveViewChoice, shownViews, VIEW_CHOICE_KEY } from '../../client/views/view-layout.js';
import { memoryStore } from './client-fakes.js';

describe('view layout', () => {
  it('starts with the console alone', () => {
    expect([...shownViews(loadViewChoice(memoryStore()), true)]).toEqual(['console']);
  });

  it('on a wide screen toggles views side by side, never hiding the last one', () => {
    let choice = DEFAULT_VIEW_CHOICE;
    choice = pressView(choice, 'plot', true);
    choice = pressView(choice, 'tiles', true);
    expect([...shownViews(choice, true)]).toEqual(['console', 'tiles', 'plot']);
    choice = pressView(choice, 'console', true);
    choice = pressView(choice, 'tiles', true);
    expect([...shownViews(choice, true)]).toEqual(['plot']);
    expect(pressView(choice, 'plot', true)).toBe(choice);
  });

  it('on a phone shows one view at a time, the last one pressed', () => {
    let choice = pressView(DEFAULT_VIEW_CHOICE, 'tiles', false);
    expect([...shownViews(choice, false)]).toEqual(['tiles']);
    choice = pressView(choice, 'plot', false);
    expect([...shownViews(choice, false)]).toEqual(['plot']);
    // What was pressed on the phone is there side by side on a wide screen.
    expect([...shownViews(choice, true)]).toEqual(['console', 'tiles', 'plot']);
  });

  it('remembers the choice, and ignores a malformed one', () => {
    const store = memoryStore();
    saveViewChoice(store, { picked: ['tiles', 'plot'], front: 'plot' });
    expect(loadViewChoice(store)).toEqual({ picked: ['tiles', 'plot'], front: 'plot' });
    for (const bad of ['{', '"x"', '{"picked":["hex"],"front":"hex"}', '{"picked":[]}']) {
      expect(loadViewChoice(memoryStore({ [VIEW_CHOICE_KEY]: bad }))).toEqual(DEFAULT_VIEW_CHOICE);
    }
  });
});

describe('plot data', () => {
  it('joins the server series on their distinct times, null where a series has no point', () => {
    const joined = joinSeries(
      ['a', 'b', 'gone'],
      [
        { name: 'a', times: [1, 3], values: [10, 30], count: 2 },
        { name: 'b', times: [2, 3], values: [20, 31], count: 2 },
      ],
    );
    expect(joined).toEqual({ times: [1, 2, 3], columns: [[10, null, 30], [null, 20, 31], [null, null, null]] });
  });

  it('decimates to one bucket per pixel within bounds, and has a colour for any number of series', () => {
    expect(bucketsForWidth(640)).toBe(640);
    expect(bucketsForWidth(10)).toBe(100);
    expect(bucketsForWidth(10_000)).toBe(4000);
    const colours = new Set(Array.from({ length: 40 }, (_, i) => seriesColor(i)));
    expect(colours.size).toBe(40);
  });

  it("follows the server's clock: a later sample at once, an earlier one slowly", () => {
    const clock = new ServerClock();
    expect(clock.now(1000)).toBe(1000);
    clock.note(5000, 1000);
    expect(clock.now(2000)).toBe(6000);
    clock.note(5100, 1000); // a record that came quicker: the offset is at least this
    expect(clock.now(1000)).toBe(5100);
    clock.note(4000, 1000); // a late record pulls back only a little
    expect(clock.now(1000)).toBeGreaterThan(5000);
  });

  it('a window-sized ring for a 1-day window at 1000 px holds 1001 buckets per series', () => {
    const ring = BucketRing.forWindow(86_400_000, bucketsForWidth(1000));
    expect(ring.capacity).toBe(1001);
    expect(ring.bucketMs).toBe(86_400);
  });
});

describe('disposables', () => {
  it('undo everything once, newest first, and dispose late additions at once', () => {
    const order: string[] = [];
    const store = new DisposableStore();
    store.add(toDisposable(() => order.push('first')));
    const target = new EventTarget();
    let heard = 0;
    store.listen(target, 'ping', () => heard++);
    target.dispatchEvent(new Event('ping'));
    store.add(toDisposable(() => order.push('last')));
    store.dispose();
    store.dispose();
    target.dispatchEvent(new Event('ping'));
    expect(heard).toBe(1);
    expect(order).toEqual(['last', 'first']);
    store.add(toDisposable(() => order.push('late')));
    expect(order).toEqual(['last', 'first', 'late']);
  });
});
