import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { traceColumns, type PathSink } from '../../client/views/column-paths.js';

type Point = readonly [x: number, y: number | null];

/** The strokes traceColumns draws for `points`: [x0, y0, x1, y1] each. */
function strokes(points: readonly Point[], xOffset = 0): Array<[number, number, number, number]> {
  const out: Array<[number, number, number, number]> = [];
  let at: [number, number] | null = null;
  const sink: PathSink = {
    moveTo: (x, y) => {
      at = [x, y];
    },
    lineTo: (x, y) => {
      if (!at) throw new Error('lineTo without moveTo');
      out.push([at[0], at[1], x, y]);
      at = [x, y];
    },
  };
  traceColumns(points.length, (i) => points[i]![0], (i) => points[i]![1], sink, xOffset);
  return out;
}

describe('traceColumns: a line per pixel column', () => {
  it('draws one vertical run per column, joining the previous column, and covers whole rows', () => {
    // Column 10: 5 then 9; column 11: 2 then 4 (joined from 9); column 12: flat at 4.
    const points: Point[] = [[10, 5], [10.2, 9], [11, 2], [11.4, 4], [12, 4]];
    expect(strokes(points)).toEqual([
      [10, 5, 10, 10],
      [11, 2, 11, 10],
      [12, 4, 12, 5],
    ]);
  });

  it('joins points further apart than a column with a line between pixel centres, and centres odd strokes', () => {
    expect(strokes([[0, 0], [5, 10]], 0.5)).toEqual([
      [0.5, 0, 0.5, 1], // the first point's own column
      [0.5, 0.5, 5.5, 10.5], // the join
      [5.5, 10, 5.5, 11],
    ]);
  });

  it('joins across missing points, as uPlot spanGaps does, and ignores non-finite ones', () => {
    expect(strokes([[0, 3], [1, null], [2, Number.NaN], [3, 3]])).toEqual([
      [0, 3, 0, 4],
      [0, 3.5, 3, 3.5],
      [3, 3, 3, 4],
    ]);
    expect(strokes([])).toEqual([]);
  });

  it('property: every point is drawn, and nothing beyond the reach of the line through them', () => {
    const point = fc.tuple(fc.integer({ min: 0, max: 30 }), fc.option(fc.integer({ min: -50, max: 50 }), { freq: 8 }));
    fc.assert(
      fc.property(fc.array(point, { maxLength: 60 }), (raw) => {
        const points = [...raw].sort((a, b) => a[0] - b[0]);
        const drawn = strokes(points);
        const real = points.filter((p): p is [number, number] => p[1] !== null);
        const runs = drawn.filter(([x0, , x1]) => x0 === x1);
        // Every point's pixel lies in its column's run.
        for (const [x, y] of real) expect(runs.some(([rx, top, , bottom]) => rx === x && top <= y && y < bottom)).toBe(true);
        // A run reaches no row outside that column's points and the previous column's last point.
        for (const [x, top, , bottom] of runs) {
          const here = real.filter((p) => p[0] === x).map((p) => p[1]);
          const before = real.filter((p) => p[0] === x - 1).map((p) => p[1]);
          const reach = [...here, ...before.slice(-1)];
          expect(top).toBe(Math.min(...(before.length > 0 ? reach : here)));
          expect(bottom - 1).toBe(Math.max(...(before.length > 0 ? reach : here)));
        }
        // One run per column that has a point.
        expect(runs.length).toBe(new Set(real.map((p) => p[0])).size);
      }),
    );
  });
});
