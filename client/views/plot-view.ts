// The plotter on uPlot: every numeric field of the port as a series over a window from 10 s to a day,
// following live (on the server's clock) or paused; drag to zoom, Shift+drag or the arrows to pan, the
// legend to toggle series; min/max per pixel both from the server (`points` = 2 × width) and for live
// records (a BucketRing per window); CSV export of what is visible; y scaling shared or each series
// its own range (plot-scales.ts), remembered per port. Activated for one port at a time.
import uPlot from 'uplot';
import type { RecordData, RecordFormat } from '../../server/wire/api.js';
import { BucketRing, type AlignedColumns } from './bucket-ring.js';
import { columnPaths } from './column-paths.js';
import { csvFileName, csvText } from './csv-export.js';
import { DisposableStore, toDisposable, type Disposable } from './disposables.js';
import {
  bucketsForWidth,
  DEFAULT_WINDOW_MS,
  joinSeries,
  PLOT_WINDOWS,
  SERVER_HISTORY_MS,
  ServerClock,
  seriesColor,
} from './plot-data.js';
import {
  axisSeries,
  axisTicks,
  labelDigits,
  loadScaleMode,
  niceStep,
  normalizedColumns,
  realValue,
  saveScaleMode,
  SCALE_MODES,
  seriesRanges,
  sharedRange,
  type ScaleMode,
  type SeriesRange,
} from './plot-scales.js';
import type { ViewHost } from './port-data.js';
import { safeStore, type KeyValueStore } from '../ui/storage.js';

/** Wait after a zoom or pan before asking the server for that range in detail, in ms (a drag pans many times). */
const DETAIL_DEBOUNCE_MS = 250;
/** Smallest plot drawn, in CSS px: below this a hidden or collapsing panel is not worth a redraw. */
const MIN_PLOT_W = 120;
/**
 * Shortest time between two live redraws, in ms: 20 a second scrolls smoothly, and a board sending
 * a thousand samples a second on twenty series would otherwise redraw every frame.
 */
const MIN_REDRAW_MS = 50;
/**
 * Longest a live redraw waits for its bucket, in ms. Following, the picture moves by one bucket
 * (about a pixel) per bucket's time, and data within it only changes the newest column, so redraws
 * are spaced a bucket apart (94 ms for a minute across 640 px); on long windows new data still
 * shows within this.
 */
const MAX_REDRAW_WAIT_MS = 1000;
/**
 * Width of a series' line, in CSS px. One: a hairline rasters several times faster than 1.5 px on a
 * canvas without a GPU (20 dense series: ~60 against ~1,600 ms a picture in headless Chromium).
 */
const SERIES_LINE_PX = 1;
/** A redraw waits at least this many times as long as the last one took: drawing never takes more than a third of the page's time, however slow the machine. */
const REDRAW_COST_FACTOR = 2;
const MIN_PLOT_H = 80;
/** Said while the port has no numeric field at all. */
const NO_FIELDS_NOTE = 'No numeric fields yet: they appear as the board sends readings.';

/** The plotter over `container` (its children are its own while active); `settings` keeps each port's y scaling. */
export class PlotView implements Disposable {
  private store: DisposableStore | null = null;

  constructor(
    private readonly container: HTMLElement,
    private readonly settings: KeyValueStore = safeStore(null),
    private readonly doc: Document = container.ownerDocument,
  ) {}

  /** Shows `host`'s port: fills the window from the server's series, then follows its records. */
  activate(host: ViewHost): void {
    this.dispose();
    const store = (this.store = new DisposableStore());
    const doc = this.doc;
    const win = doc.defaultView;
    if (!win) throw new Error('PlotView needs a document with a window');
    const timers = host.timers;
    const clock = new ServerClock();
    const root = this.container;
    root.dataset.port = host.portId;

    // ---- markup: a control row, the chart, its legend ----
    const controls = el(doc, 'div', 'plot-controls');
    const windowSelect = doc.createElement('select');
    windowSelect.className = 'plot-window';
    windowSelect.setAttribute('aria-label', 'Plot window');
    for (const w of PLOT_WINDOWS) windowSelect.append(new Option(w.label, String(w.ms), false, w.ms === DEFAULT_WINDOW_MS));
    let scaleMode: ScaleMode = loadScaleMode(this.settings, host.portId);
    const scaleSelect = doc.createElement('select');
    scaleSelect.className = 'plot-scale';
    scaleSelect.setAttribute('aria-label', 'Y scale');
    scaleSelect.title = 'Y scale: one axis shared by all series, or each series over the full height (the axis shows the first shown series, or the one pointed at in the legend)';
    for (const m of SCALE_MODES) scaleSelect.append(new Option(m.label, m.mode, false, m.mode === scaleMode));
    const follow = button(doc, 'plot-follow', 'Pause', 'Pause following (the plot keeps its range; data still arrives)');
    const left = button(doc, 'plot-left', '◀', 'Pan back (or Shift+drag)');
    const right = button(doc, 'plot-right', '▶', 'Pan forward (or Shift+drag)');
    const zoomIn = button(doc, 'plot-zoom-in', '+', 'Zoom in (or drag across the plot)');
    const zoomOut = button(doc, 'plot-zoom-out', '−', 'Zoom out (double-click: the whole window)');
    const exportCsv = button(doc, 'plot-export', 'CSV', 'Export the visible points as CSV');
    const note = el(doc, 'span', 'plot-note');
    note.setAttribute('aria-live', 'polite');
    controls.append(windowSelect, scaleSelect, follow, left, right, zoomIn, zoomOut, exportCsv, note);
    const area = el(doc, 'div', 'plot-area');
    const legend = el(doc, 'div', 'plot-legend');
    root.replaceChildren(controls, area, legend);
    store.add(toDisposable(() => root.replaceChildren()));

    // ---- state ----
    let windowMs = DEFAULT_WINDOW_MS;
    let ring = BucketRing.forWindow(windowMs, bucketsForWidth(area.clientWidth));
    const names: string[] = [];
    /** Per series, the time of its newest point and the format of the record it came in (none for the server's series). */
    const lastSeen = new Map<string, { timeMs: number; format: RecordFormat | undefined }>();
    const noteSeen = (name: string, timeMs: number, format?: RecordFormat): void => {
      const seen = lastSeen.get(name);
      if (seen && (seen.timeMs > timeMs || (seen.timeMs === timeMs && !format))) return; // the record's own format wins over the fill's
      if (!seen) lastSeen.set(name, { timeMs, format });
      else {
        // In place: this runs for every field of every record (20,000 a second at 20 series × 1 kHz).
        seen.timeMs = timeMs;
        seen.format = format;
      }
    };
    let following = true;
    let dirty = true;
    let shown: AlignedColumns = { times: [], columns: [] };
    /** In `each` mode, every series' own range over the visible part of `shown` (its values drawn as 0..1); empty in `shared` mode. */
    let ranges: SeriesRange[] = [];
    /** The series (0-based) pointed at in the legend: the axis shows its values in `each` mode. */
    let hovered: number | null = null;
    let lastEdgeMs = Number.NEGATIVE_INFINITY;
    let lastDrawAt = Number.NEGATIVE_INFINITY; // performance.now() of the last live redraw's end
    let lastDrawCost = 0; // how long it took, in ms
    let generation = 0; // bumps on a window change: a fill answered late for the old window is dropped
    let detailTimer: unknown = null;
    let frame: number | null = null;
    /** True while this code moves the scale: uPlot's setScale hook then is not a person zooming. */
    let ours = false;
    /** True from a press or double-click on the chart until just after it: a scale change then is the person's zoom. */
    let gesture = false;
    const muted = (): string => cssColor(doc, '--muted', '#8b949e');
    const gridColor = 'rgba(128,128,128,0.18)';

    const size = (): { width: number; height: number } => ({
      width: Math.max(MIN_PLOT_W, area.clientWidth),
      height: Math.max(MIN_PLOT_H, area.clientHeight),
    });
    const plot = new uPlot(
      {
        ...size(),
        ms: 1,
        pxAlign: 0,
        scales: {
          x: { time: true },
          // Shared: uPlot's own auto range. Each: the series' values come mapped into 0..1.
          y: { range: (_u, min, max) => (scaleMode === 'each' ? [0, 1] : sharedRange(min, max)) },
        },
        series: [{ label: 'time' }],
        axes: [
          { stroke: muted, grid: { stroke: gridColor }, ticks: { stroke: gridColor } },
          {
            stroke: () => {
              const i = axisIndex();
              return i < 0 ? muted() : seriesColor(i);
            },
            grid: { stroke: gridColor },
            ticks: { stroke: gridColor },
            size: axisSize,
            splits: (_u, _axisIdx, min, max, incr) => axisSplits(min, max, incr),
            values: (_u, splits) => axisLabels(splits),
          },
        ],
        cursor: { drag: { x: true, y: false, setScale: true } },
        legend: { show: true, live: true, mount: (_u, legendEl) => legend.append(legendEl) },
        hooks: {
          // A series shown or hidden may change whose values the axis labels.
          setSeries: [() => relabel()],
          setScale: [
            (_u, key) => {
              if (key !== 'x' || ours || !gesture) return;
              // A person zoomed (drag, double-click): stop following and fetch that range in detail.
              setFollowing(false);
              requestDetail();
              // Each series re-ranged over the zoom now (not inside uPlot's commit), before the detail comes.
              if (scaleMode === 'each') timers.setTimeout(() => rerange(), 0);
            },
          ],
        },
      },
      [[]],
      area,
    );
    store.add(toDisposable(() => plot.destroy()));

    const setScaleX = (min: number, max: number): void => {
      ours = true;
      try {
        plot.setScale('x', { min, max });
      } finally {
        ours = false;
      }
    };
    /** Series number (0-based) whose values the axis shows in `each` mode; -1 in `shared` mode or when none shows. */
    const axisIndex = (): number => {
      if (scaleMode !== 'each') return -1;
      return axisSeries(
        names.map((_n, i) => plot.series[i + 1]?.show !== false),
        hovered,
      );
    };
    const formats = new Map<number, Intl.NumberFormat>();
    const formatDigits = (digits: number): Intl.NumberFormat => {
      let f = formats.get(digits);
      if (!f) formats.set(digits, (f = new Intl.NumberFormat(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits })));
      return f;
    };
    /** Real value step between the axis' ticks in `each` mode (the chosen series' 1-2-5 step). */
    let realStep = 1;
    /**
     * The axis' ticks on the drawn scale. Shared: multiples of uPlot's found increment, as its own axis
     * does. Each: round values of the chosen series (uPlot's increment for 0..1 scaled to its range and
     * rounded to 1-2-5), placed where they fall in 0..1.
     */
    const axisSplits = (min: number, max: number, incr: number): number[] => {
      const range = ranges[axisIndex()];
      if (!range) return axisTicks(min, max, incr);
      const span = range.max - range.min;
      realStep = niceStep(incr * span);
      return axisTicks(realValue(min, range), realValue(max, range), realStep).map((v) => (v - range.min) / span);
    };
    /** The axis' labels: in `each` mode the chosen series' real values at its ticks. */
    const axisLabels = (splits: number[]): string[] => {
      const range = ranges[axisIndex()];
      if (!range) {
        delete root.dataset.axisLabels;
        return splits.map((v) => uPlot.fmtNum(v));
      }
      const f = formatDigits(labelDigits(realStep));
      const labels = splits.map((v) => f.format(realValue(v, range)));
      root.dataset.axisLabels = labels.join(' | '); // the axis is canvas: what it says, for tests and tools
      return labels;
    };
    /** Re-labels the axis (whose series, or its range, changed while the 0..1 scale did not). */
    const relabel = (): void => {
      if (scaleMode === 'each') plot.redraw(false, true);
    };
    /** Hands `data` to uPlot (in `each` mode ranged over `x`, the x range it will show: uPlot's y auto range does the same). */
    const setShown = (data: AlignedColumns, keepScale: boolean, x = visibleRange()): void => {
      shown = data;
      ranges = scaleMode === 'each' ? seriesRanges(data, x.min, x.max) : [];
      const drawn = scaleMode === 'each' ? normalizedColumns(data, ranges) : data;
      ours = true;
      try {
        plot.setData([drawn.times, ...drawn.columns] as uPlot.AlignedData, !keepScale);
        relabel();
      } finally {
        ours = false;
      }
      root.dataset.points = String(data.times.length);
    };
    /** Real values at the plot's bottom and top for series `i`: its own range, or the shared axis. */
    const realSpan = (i: number): SeriesRange | null => {
      if (scaleMode === 'each') return ranges[i] ?? null;
      const y = plot.scales['y'];
      return y?.min != null && y.max != null ? { min: y.min, max: y.max } : null;
    };
    const visibleRange = (): { min: number; max: number } => {
      const x = plot.scales['x'];
      return { min: x?.min ?? 0, max: x?.max ?? 0 };
    };
    const publish = (): void => {
      const { min, max } = visibleRange();
      root.dataset.from = String(Math.round(min));
      root.dataset.to = String(Math.round(max));
      root.dataset.series = String(names.length);
      root.toggleAttribute('data-following', following);
      root.dataset.scale = scaleMode;
      const axis = axisIndex();
      if (axis >= 0) root.dataset.axisSeries = names[axis];
      else delete root.dataset.axisSeries;
      // Each legend row says when its series last got a point, and in which format the line came.
      const rows = legend.querySelectorAll<HTMLElement>('.u-series');
      names.forEach((name, i) => {
        const row = rows[i + 1]; // row 0 is the time axis
        const seen = lastSeen.get(name);
        if (!row || !seen) return;
        row.dataset.series = name;
        row.dataset.last = String(seen.timeMs);
        if (seen.format) row.dataset.format = seen.format;
        else delete row.dataset.format;
        const span = realSpan(i);
        if (span) {
          row.dataset.bottom = String(span.min);
          row.dataset.top = String(span.max);
        }
      });
    };

    const linePaths = columnPaths();
    const addName = (name: string): void => {
      if (names.includes(name)) return;
      names.push(name);
      if (note.textContent === NO_FIELDS_NOTE) note.textContent = ''; // the first field came after the fill
      // Its column first (all gaps), so uPlot never draws a series without data.
      setShown({ times: shown.times, columns: [...shown.columns, shown.times.map(() => null)] }, true);
      plot.addSeries(
        {
          label: name,
          stroke: seriesColor(names.length - 1),
          width: SERIES_LINE_PX,
          spanGaps: true,
          points: { show: false },
          paths: linePaths,
          // The legend and cursor show the real value, also when the line is drawn as 0..1.
          value: (_u, raw, si, idx) => {
            const real = scaleMode === 'each' && idx !== null ? shown.columns[si - 1]?.[idx] : raw;
            return real === null || real === undefined ? '--' : uPlot.fmtNum(real);
          },
        },
        names.length,
      );
      dirty = true;
    };

    // ---- drawing: one frame at a time, only when something moved ----
    const draw = (): void => {
      frame = null;
      if (!following) return;
      const now = clock.now(timers.now());
      // The axis scrolls by whole buckets' halves: redraw when data came or the edge moved that far.
      if (!dirty && now - lastEdgeMs < ring.bucketMs / 2) return schedule();
      const started = win.performance.now();
      const wait = Math.max(MIN_REDRAW_MS, Math.min(ring.bucketMs, MAX_REDRAW_WAIT_MS), lastDrawCost * REDRAW_COST_FACTOR);
      if (started - lastDrawAt < wait) return schedule();
      dirty = false;
      lastEdgeMs = now;
      // One redraw for the new data and the scrolled axis, not one each.
      plot.batch(() => {
        setShown(ring.aligned(names, now - windowMs - ring.bucketMs, now), true, { min: now - windowMs, max: now });
        setScaleX(now - windowMs, now);
      });
      publish();
      lastDrawAt = win.performance.now();
      lastDrawCost = lastDrawAt - started;
      schedule();
    };
    const schedule = (): void => {
      if (frame === null && following && !store.disposed) frame = win.requestAnimationFrame(draw);
    };
    store.add(
      toDisposable(() => {
        if (frame !== null) win.cancelAnimationFrame(frame);
      }),
    );

    const setFollowing = (on: boolean): void => {
      following = on;
      follow.textContent = on ? 'Pause' : 'Follow';
      follow.title = on ? 'Pause following (the plot keeps its range; data still arrives)' : 'Follow live data again';
      follow.setAttribute('aria-label', follow.title);
      follow.setAttribute('aria-pressed', String(!on));
      if (on) {
        if (detailTimer !== null) timers.clearTimeout(detailTimer);
        detailTimer = null;
        note.textContent = '';
        dirty = true;
        schedule();
      }
      publish();
    };

    // ---- data in: the server's series for the window, then live records ----
    const addRecord = (record: RecordData): void => {
      clock.note(record.timeMs, timers.now());
      for (const [name, value] of Object.entries(record.fields)) {
        if (typeof value !== 'number') continue;
        addName(name);
        ring.add(name, record.timeMs, value);
        noteSeen(name, record.timeMs, record.format);
      }
      dirty = true;
      schedule();
    };
    store.add(host.onRecord(addRecord));

    const fill = async (): Promise<void> => {
      const mine = ++generation;
      await host.whenOpen();
      if (store.disposed || mine !== generation) return;
      const asked = timers.now();
      const now = clock.now(asked);
      const answer = await host.fetchSeries({ fromMs: now - windowMs, points: (ring.capacity - 1) * 2 }).catch((error: unknown) => {
        note.textContent = `Could not read the series: ${error instanceof Error ? error.message : String(error)}`;
        return null;
      });
      if (!answer || store.disposed || mine !== generation) return;
      clock.note(answer.to, (asked + timers.now()) / 2); // `to` is the server's now when it answered
      for (const name of answer.names) addName(name);
      for (const s of answer.series) {
        for (let i = 0; i < s.times.length; i++) ring.add(s.name, s.times[i]!, s.values[i]!);
        if (s.times.length > 0) noteSeen(s.name, s.times[s.times.length - 1]!);
      }
      note.textContent = names.length === 0 ? NO_FIELDS_NOTE : '';
      dirty = true;
      schedule();
      publish();
    };

    /** After a zoom or pan, asks the server for the visible range at this width (within its hour of history). */
    const requestDetail = (): void => {
      if (detailTimer !== null) timers.clearTimeout(detailTimer);
      detailTimer = timers.setTimeout(() => {
        detailTimer = null;
        const { min, max } = visibleRange();
        const now = clock.now(timers.now());
        if (following || !(max > min) || min < now - SERVER_HISTORY_MS || names.length === 0) return;
        const asked = names.slice();
        void host
          .fetchSeries({ names: asked, fromMs: min, toMs: max, points: bucketsForWidth(area.clientWidth) * 2 })
          .then((answer) => {
            const range = visibleRange();
            if (store.disposed || following || range.min !== min || range.max !== max) return;
            setShown(joinSeries(names, answer.series), true, { min, max });
            setScaleX(min, max);
            publish();
          })
          .catch(() => undefined); // the coarse data stays; a later zoom asks again
      }, DETAIL_DEBOUNCE_MS);
    };
    store.add(toDisposable(() => timers.clearTimeout(detailTimer)));

    // ---- controls ----
    store.listen(follow, 'click', () => setFollowing(!following));
    /** In `each` mode, re-ranges every series over the visible range (after uPlot's own zoom). */
    const rerange = (): void => {
      if (store.disposed || scaleMode !== 'each') return;
      setShown(shown, true);
      publish();
    };
    /** Shows x range `min`..`max`; in `each` mode each series re-ranged over it, as the shared axis auto-ranges. */
    const showRange = (min: number, max: number): void => {
      if (scaleMode !== 'each') return setScaleX(min, max);
      plot.batch(() => {
        setShown(shown, true, { min, max });
        setScaleX(min, max);
      });
    };
    const moveTo = (min: number, max: number): void => {
      setFollowing(false);
      showRange(min, max);
      publish();
      requestDetail();
    };
    const pan = (fraction: number): void => {
      const { min, max } = visibleRange();
      const shift = (max - min) * fraction;
      moveTo(min + shift, max + shift);
    };
    const zoom = (factor: number): void => {
      const { min, max } = visibleRange();
      const mid = (min + max) / 2;
      const half = ((max - min) * factor) / 2;
      moveTo(mid - half, mid + half);
    };
    store.listen(left, 'click', () => pan(-0.25));
    store.listen(right, 'click', () => pan(0.25));
    store.listen(zoomIn, 'click', () => zoom(0.5));
    store.listen(zoomOut, 'click', () => zoom(2));
    store.listen(scaleSelect, 'change', () => {
      const next = scaleSelect.value;
      if (next !== 'shared' && next !== 'each') return;
      scaleMode = next;
      saveScaleMode(this.settings, host.portId, next);
      // The same points drawn again on the new scales, at the same range: following or paused alike.
      const { min, max } = visibleRange();
      plot.batch(() => {
        setShown(shown, true);
        setScaleX(min, max);
      });
      publish();
    });
    // Pointing at a series in the legend puts its values on the axis (in `each` mode).
    store.listen(legend, 'pointerover', (event) => {
      const row = (event.target as Element | null)?.closest?.('.u-series');
      const rows = [...legend.querySelectorAll('.u-series')];
      const i = row ? rows.indexOf(row) - 1 : -1; // row 0 is the time axis
      const next = i >= 0 ? i : null;
      if (next === hovered) return;
      hovered = next;
      relabel();
      publish();
    });
    store.listen(legend, 'pointerleave', () => {
      if (hovered === null) return;
      hovered = null;
      relabel();
      publish();
    });
    store.listen(windowSelect, 'change', () => {
      const next = Number(windowSelect.value);
      if (!(next > 0)) return;
      windowMs = next;
      // The old ring's extremes are real points: carried into the new one, a longer window keeps what the page saw.
      const old = ring;
      ring = BucketRing.forWindow(windowMs, bucketsForWidth(area.clientWidth));
      for (const name of old.names()) {
        for (const b of old.buckets(name)) {
          ring.add(name, b.minTimeMs, b.min);
          ring.add(name, b.maxTimeMs, b.max);
        }
      }
      setFollowing(true);
      void fill();
    });
    store.listen(exportCsv, 'click', () => {
      const { min, max } = visibleRange();
      const visible = names.map((n, i) => ({ n, i })).filter(({ i }) => plot.series[i + 1]?.show !== false);
      const data: AlignedColumns = { times: shown.times, columns: visible.map(({ i }) => shown.columns[i] ?? []) };
      const text = csvText(visible.map(({ n }) => n), data, min, max);
      host.download(new Blob([text], { type: 'text/csv;charset=utf-8' }), csvFileName(host.portId, timers.now()));
    });

    // A press or double-click on the chart is a person's zoom (uPlot sets the scale in its handlers).
    const noteGesture = (): void => {
      gesture = true;
    };
    const endGesture = (): void => {
      timers.setTimeout(() => (gesture = false), 0); // after uPlot's own mouseup/dblclick handlers
    };
    store.listen(area, 'dblclick', () => {
      noteGesture();
      endGesture();
    }, { capture: true });
    store.listen(win, 'mouseup', () => {
      if (gesture) endGesture();
    });

    // Shift+drag pans: caught before uPlot's own drag (which zooms) sees the press.
    store.listen(
      area,
      'mousedown',
      (event) => {
        const e = event as MouseEvent;
        if (e.button === 0) noteGesture();
        if (!e.shiftKey || e.button !== 0) return;
        e.stopPropagation();
        e.preventDefault();
        const start = visibleRange();
        const startX = e.clientX;
        const perPx = (start.max - start.min) / Math.max(1, plot.bbox.width / (win.devicePixelRatio || 1));
        setFollowing(false);
        const move = (m: MouseEvent): void => {
          const shift = (startX - m.clientX) * perPx;
          showRange(start.min + shift, start.max + shift);
          publish();
        };
        const up = (): void => {
          win.removeEventListener('mousemove', move);
          win.removeEventListener('mouseup', up);
          requestDetail();
        };
        win.addEventListener('mousemove', move);
        win.addEventListener('mouseup', up);
      },
      { capture: true },
    );

    // Follow the area's size (panel resize, phone rotation), once per frame at most.
    const observer = new ResizeObserver(() => {
      const next = size();
      if (next.width !== plot.width || next.height !== plot.height) plot.setSize(next);
    });
    observer.observe(area);
    store.add(toDisposable(() => observer.disconnect()));

    setFollowing(true);
    void fill();
  }

  dispose(): void {
    this.store?.dispose();
    this.store = null;
  }
}

/** Width of the value axis for its labels, in CSS px: wide enough for 101,325 or -0.00012. */
function axisSize(_u: uPlot, values: string[] | null): number {
  const longest = Math.max(3, ...(values ?? []).map((v) => v.length));
  return Math.ceil(longest * 7.5 + 18);
}

/** The page's colour `name` (a CSS custom property) for canvas drawing, which cannot read var(). */
function cssColor(doc: Document, name: string, fallback: string): string {
  const value = doc.defaultView?.getComputedStyle(doc.documentElement).getPropertyValue(name).trim();
  return value ? value : fallback;
}

function el(doc: Document, tag: string, className: string): HTMLElement {
  const node = doc.createElement(tag);
  node.className = className;
  return node;
}

function button(doc: Document, className: string, text: string, title: string): HTMLButtonElement {
  const b = doc.createElement('button');
  b.type = 'button';
  b.className = `btn ${className}`;
  b.textContent = text;
  b.title = title;
  b.setAttribute('aria-label', title);
  return b;
}
