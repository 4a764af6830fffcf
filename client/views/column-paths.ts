// The plot's line paths, built per pixel column. The plot hands uPlot two points per pixel (each
// bucket's min and max), and a line through them is mostly near-vertical strokes the height of the
// swing. A canvas without a GPU (headless Chromium, many small boards' browsers) rasters one long
// antialiased polyline of those at a cost that grew to most of the page's time with 20 series
// (docs/benchmarks.md, issue 11). At one pixel of resolution the same line is, per column, one
// vertical run from the lowest to the highest point it passes there (joining the previous column's
// last point): the same pixels, drawn as short separate strokes that raster several times faster.
// Points further apart than a column are joined by an ordinary line segment, so sparse or zoomed-in
// data looks as uPlot's own linear paths draw it.
import uPlot from 'uplot';

/** Where a path goes: Path2D in the page, a recorder in tests. */
export interface PathSink {
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
}

/**
 * Draws the line through the points `count` gives, in order of x, into `sink`: `xAt(i)`/`yAt(i)` are
 * point i's canvas position in device px (yAt null: no point, joined across as uPlot's spanGaps
 * does). Positions are rounded to whole pixels (a point at y covers pixel row y); `xOffset` centres a
 * stroke of odd width on its pixel column. Each column's run covers whole rows, so a flat line still shows.
 */
export function traceColumns(
  count: number,
  xAt: (i: number) => number,
  yAt: (i: number) => number | null,
  sink: PathSink,
  xOffset = 0,
): void {
  let column = Number.NaN; // x of the column being gathered
  let top = 0;
  let bottom = 0;
  let last = 0; // y of the column's newest point
  const flush = (): void => {
    if (Number.isNaN(column)) return;
    sink.moveTo(column + xOffset, top);
    sink.lineTo(column + xOffset, bottom + 1);
  };
  for (let i = 0; i < count; i++) {
    const yRaw = yAt(i);
    if (yRaw === null || !Number.isFinite(yRaw)) continue;
    const x = Math.round(xAt(i));
    const y = Math.round(yRaw);
    if (!Number.isFinite(x)) continue;
    if (x === column) {
      if (y < top) top = y;
      if (y > bottom) bottom = y;
      last = y;
      continue;
    }
    flush();
    if (!Number.isNaN(column) && Math.abs(x - column) === 1) {
      // The neighbouring column: the join from its last point is part of this column's run.
      top = Math.min(last, y);
      bottom = Math.max(last, y);
    } else {
      if (!Number.isNaN(column)) {
        sink.moveTo(column + xOffset, last + 0.5);
        sink.lineTo(x + xOffset, y + 0.5);
      }
      top = bottom = y;
    }
    column = x;
    last = y;
  }
  flush();
}

/** A uPlot path builder (horizontal x scale) drawing each series with traceColumns between the visible indexes. */
export function columnPaths(): uPlot.Series.PathBuilder {
  return (u, seriesIdx, idx0, idx1) => {
    const series = u.series[seriesIdx];
    const xs = u.data[0];
    const ys = u.data[seriesIdx];
    if (!series || !xs || !ys) return null;
    const xKey = u.series[0]?.scale ?? 'x';
    const yKey = series.scale ?? 'y';
    // uPlot strokes `width` CSS px as width × pxRatio device px; an odd width is centred on a pixel's middle.
    const strokePx = Math.round((typeof series.width === 'number' ? series.width : 1) * uPlot.pxRatio);
    const xOffset = (strokePx % 2) / 2;
    const stroke = new Path2D();
    const from = Math.max(0, idx0);
    const xPos = canvasPos(u, xKey);
    const yPos = canvasPos(u, yKey);
    traceColumns(
      Math.min(xs.length - 1, idx1) - from + 1,
      (i) => xPos(xs[from + i]!),
      (i) => {
        const v = ys[from + i];
        return typeof v === 'number' ? yPos(v) : null;
      },
      stroke,
      xOffset,
    );
    return { stroke, fill: null, clip: null, band: null, flags: 0 };
  };
}

/** Linear scale `key`'s value → canvas px, as uPlot's valToPos computes it, without its per-call lookups (tens of thousands a redraw). */
function canvasPos(u: uPlot, key: string): (value: number) => number {
  const scale = u.scales[key];
  const min = scale?.min;
  const max = scale?.max;
  if (scale?.distr !== 1 || min == null || max == null || !(max > min)) return (value) => u.valToPos(value, key, true);
  const at = u.valToPos(min, key, true);
  const perUnit = (u.valToPos(max, key, true) - at) / (max - min);
  return (value) => at + (value - min) * perUnit;
}

