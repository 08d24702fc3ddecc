// report.js: draws the figures of report.html and sweep.html from the JSON spec in each
// figure.fig element: line and bar charts with Chart.js, heatmaps and timelines on a canvas.
// Inlined at build time (report_assets.h), after Chart.js itself: the page needs no network.
(function () {
  'use strict';
  // Units by quantity: SI values in the spec, the largest unit the visible range reaches.
  const UNITS = {
    time: [['ps', 1e-12], ['ns', 1e-9], ['µs', 1e-6], ['ms', 1e-3], ['s', 1]],
    bytes: [['B', 1], ['KB', 1e3], ['MB', 1e6], ['GB', 1e9], ['TB', 1e12]],
    rate: [['bps', 1], ['Kbps', 1e3], ['Mbps', 1e6], ['Gbps', 1e9], ['Tbps', 1e12]],
    bw: [['B/s', 1], ['KB/s', 1e3], ['MB/s', 1e6], ['GB/s', 1e9], ['TB/s', 1e12]],
    fraction: [['%', 0.01]],
    ratio: [['×', 1]],
    count: [['', 1], ['thousand', 1e3], ['million', 1e6], ['billion', 1e9]],
  };
  const TINY = { time: 1e-6, bytes: 1, rate: 1, bw: 1, fraction: 0.01, ratio: 1, count: 1 };
  const PALETTE = ['#4e79a7', '#e15759', '#59a14f', '#f28e2b', '#b07aa1', '#76b7b2', '#edc948',
                   '#ff9da7', '#9c755f', '#bab0ac'];
  const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  const num = (v, d) => v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

  function unitFor(q, maxAbs) {
    const list = UNITS[q] || UNITS.count;
    let u = list[0];
    for (const c of list) if (maxAbs >= c[1] * (1 - 1e-9)) u = c;
    return { name: u[0], scale: u[1] };
  }

  // One value for a tooltip or a label: its own unit, about four significant digits.
  function fmtValue(q, v) {
    if (q === 'count') return Math.round(v).toLocaleString('en-US');
    const u = unitFor(q, Math.abs(v));
    const x = v / u.scale;
    const a = Math.abs(x);
    const s = x.toLocaleString('en-US', { maximumFractionDigits: a >= 100 ? 1 : a >= 10 ? 2 : 3 });
    return q === 'ratio' ? s + '×' : s + ' ' + u.name;
  }

  function niceStep(span, target) {
    const raw = span / Math.max(1, target);
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const f = raw / mag;
    return (f <= 1 + 1e-9 ? 1 : f <= 2 + 1e-9 ? 2 : f <= 5 + 1e-9 ? 5 : 10) * mag;
  }

  // An axis over [lo, hi]: 1-2-5 ticks, one unit (by range) and one number of decimals for
  // every label. `extend` widens the range to whole steps (value axes).
  function makeAxis(q, lo, hi, target, extend, label, floor) {
    if (!(hi > lo)) hi = lo + Math.max(Math.abs(lo), TINY[q] || 1);
    const step = niceStep(hi - lo, target);
    if (extend) {
      const below = Math.floor(lo / step + 1e-9) * step;
      lo = floor !== undefined && below < floor && floor <= lo ? floor : below;
      hi = Math.ceil(hi / step - 1e-9) * step;
    }
    const unit = unitFor(q, Math.max(Math.abs(lo), Math.abs(hi)));
    const decimals = Math.max(0, Math.ceil(-Math.log10(step / unit.scale) - 1e-9));
    const ticks = [];
    for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++) ticks.push(i * step);
    const fmt = (v) => num(Math.abs(v) < step * 1e-6 ? 0 : v / unit.scale, decimals);
    const title = label ? label + (unit.name ? ' (' + unit.name + ')' : '') : '';
    return { q, lo, hi, step, unit: unit.name, ticks, fmt, labels: ticks.map(fmt), title };
  }

  function record(fig, key, ax) {
    fig.setAttribute('data-ticks-' + key, ax.labels.join('|'));
    fig.setAttribute('data-unit-' + key, ax.unit);
    fig.setAttribute('data-quantity-' + key, ax.q);
  }

  function scaleOptions(state, key) {
    const ax = state[key];
    return {
      type: 'linear', min: ax.lo, max: ax.hi, bounds: 'data',
      title: { display: !!ax.title, text: ax.title, color: '#3a4356' },
      grid: { color: '#e9ecf1' },
      afterBuildTicks: (scale) => { scale.ticks = state[key].ticks.map((v) => ({ value: v })); },
      ticks: { autoSkip: false, maxRotation: 0, color: '#4a5365', callback: (v) => state[key].fmt(v) },
    };
  }

  // Drag across the plot to zoom the x axis; double-click to see everything again.
  function attachZoom(target, box, area, toValue, zoom, reset) {
    const sel = document.createElement('div');
    sel.className = 'sel';
    box.appendChild(sel);
    let start = null;
    const xOf = (e) => {
      const a = area();
      return Math.min(a.right, Math.max(a.left, e.clientX - target.getBoundingClientRect().left));
    };
    target.addEventListener('mousedown', (e) => {
      const a = area();
      const x = e.clientX - target.getBoundingClientRect().left;
      if (x < a.left || x > a.right) return;
      start = x;
      e.preventDefault();
    });
    window.addEventListener('mousemove', (e) => {
      if (start === null) return;
      const a = area();
      const x = xOf(e);
      Object.assign(sel.style, { display: 'block', left: Math.min(start, x) + 'px',
        width: Math.abs(x - start) + 'px', top: a.top + 'px', height: (a.bottom - a.top) + 'px' });
    });
    window.addEventListener('mouseup', (e) => {
      if (start === null) return;
      const x = xOf(e);
      sel.style.display = 'none';
      if (Math.abs(x - start) > 4) zoom(toValue(Math.min(start, x)), toValue(Math.max(start, x)));
      start = null;
    });
    target.addEventListener('dblclick', reset);
    return () => start !== null;
  }

  function lineChart(fig, spec) {
    const box = fig.querySelector('.plot');
    const canvas = document.createElement('canvas');
    box.appendChild(canvas);
    let points = 0;
    const datasets = spec.series.map((s, i) => {
      const color = s.color || PALETTE[i % PALETTE.length];
      points += s.x.length;
      return {
        label: s.name, data: s.x.map((x, j) => ({ x, y: s.y[j] })), borderColor: color,
        backgroundColor: color, borderWidth: s.width || 1.8, pointRadius: s.x.length < 24 && !spec.step ? 2 : 0,
        pointHoverRadius: 4, showLine: true, stepped: spec.step ? 'before' : false,
        borderDash: s.dash ? [6, 4] : [],
      };
    });
    let xlo = Infinity, xhi = -Infinity;
    for (const d of datasets) for (const p of d.data) { xlo = Math.min(xlo, p.x); xhi = Math.max(xhi, p.x); }
    // Vertical markers at given x (link events): a dashed line each, labelled at the top.
    const markers = spec.markers || [];
    for (const m of markers) { xlo = Math.min(xlo, m.x); xhi = Math.max(xhi, m.x); }
    // The preferred start (0, or 1× for slowdowns) unless the data would fill under a quarter.
    if (spec.x.min !== undefined && xhi - spec.x.min <= 4 * (xhi - xlo)) xlo = Math.min(xlo, spec.x.min);
    const full = [xlo, xhi];
    const state = {};
    const layout = (a, b) => {
      let ylo = Infinity, yhi = -Infinity;
      for (const d of datasets) {
        for (const p of d.data) {
          if (p.x < a || p.x > b) continue;
          ylo = Math.min(ylo, p.y);
          yhi = Math.max(yhi, p.y);
        }
      }
      if (spec.y.min !== undefined) ylo = spec.y.min;
      if (spec.y.max !== undefined) yhi = spec.y.max;
      if (!isFinite(ylo)) { ylo = 0; yhi = 1; }
      state.x = makeAxis(spec.x.q, a, b, 7, !!spec.x.extend, spec.x.label, spec.x.min);
      state.y = makeAxis(spec.y.q, ylo, yhi, 5, true, spec.y.label);
      record(fig, 'x', state.x);
      record(fig, 'y', state.y);
    };
    layout(full[0], full[1]);
    const markerPlugin = {
      id: 'markers',
      afterDatasetsDraw: (c) => {
        const a = c.chartArea, ctx = c.ctx;
        let shown = 0;
        ctx.save();
        ctx.font = FONT;
        ctx.textAlign = 'right';
        ctx.textBaseline = 'bottom';
        for (const m of markers) {
          const x = Math.round(c.scales.x.getPixelForValue(m.x)) + 0.5;
          if (x < a.left - 1 || x > a.right + 1) continue;
          shown++;
          ctx.strokeStyle = m.color || '#e15759';
          ctx.setLineDash([5, 4]);
          ctx.lineWidth = 1.4;
          ctx.beginPath();
          ctx.moveTo(x, a.top);
          ctx.lineTo(x, a.bottom);
          ctx.stroke();
          ctx.save();
          ctx.translate(x - 3, a.top + 4);
          ctx.rotate(-Math.PI / 2);
          ctx.setLineDash([]);
          ctx.lineWidth = 3;
          ctx.strokeStyle = 'rgba(255,255,255,0.9)';
          ctx.strokeText(m.label, 0, 0);
          ctx.fillStyle = m.color || '#e15759';
          ctx.fillText(m.label, 0, 0);
          ctx.restore();
        }
        ctx.restore();
        fig.setAttribute('data-markers', String(shown));
      },
    };
    const chart = new Chart(canvas, {
      type: 'scatter',
      plugins: markers.length ? [markerPlugin] : [],
      data: { datasets },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, parsing: false,
        normalized: true,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        plugins: {
          legend: { display: datasets.length > 1, position: 'top', align: 'start',
                    labels: { boxWidth: 12, boxHeight: 12, color: '#3a4356' } },
          tooltip: { callbacks: {
            title: (items) => spec.x.label + ' ' + fmtValue(spec.x.q, items[0].parsed.x),
            label: (item) => item.dataset.label + ': ' + fmtValue(spec.y.q, item.parsed.y),
          } },
        },
        scales: { x: scaleOptions(state, 'x'), y: scaleOptions(state, 'y') },
      },
    });
    const apply = (a, b) => {
      layout(a, b);
      for (const k of ['x', 'y']) {
        Object.assign(chart.options.scales[k], { min: state[k].lo, max: state[k].hi });
        chart.options.scales[k].title.text = state[k].title;
      }
      chart.update('none');
    };
    attachZoom(canvas, box, () => chart.chartArea, (px) => chart.scales.x.getValueForPixel(px),
               apply, () => apply(full[0], full[1]));
    return points;
  }

  function barChart(fig, spec) {
    const box = fig.querySelector('.plot');
    const canvas = document.createElement('canvas');
    box.appendChild(canvas);
    let top = 0, points = 0;
    for (const s of spec.series) for (const v of s.y) { top = Math.max(top, v); points++; }
    const state = { y: makeAxis(spec.y.q, 0, top, 5, true, spec.y.label) };
    record(fig, 'y', state.y);
    new Chart(canvas, {
      type: 'bar',
      data: {
        labels: spec.labels,
        datasets: spec.series.map((s, i) => ({ label: s.name, data: s.y,
          backgroundColor: PALETTE[i % PALETTE.length], borderRadius: 3, maxBarThickness: 56 })),
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        plugins: {
          legend: { display: spec.series.length > 1, position: 'top', align: 'start' },
          tooltip: { callbacks: { label: (item) => item.dataset.label + ': ' + fmtValue(spec.y.q, item.parsed.y) } },
        },
        scales: { x: { grid: { display: false }, ticks: { autoSkip: false, color: '#3a4356' } },
                  y: scaleOptions(state, 'y') },
      },
    });
    return points;
  }

  // 256 steps of viridis, 0 (dark blue) to 1 (yellow).
  const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779',
                   '#6ece58', '#b5de2b', '#fde725'].map((h) => [1, 3, 5].map((i) => parseInt(h.substr(i, 2), 16)));
  const LUT = [];
  for (let i = 0; i < 256; i++) {
    const u = (i / 255) * (VIRIDIS.length - 1);
    const k = Math.min(VIRIDIS.length - 2, Math.floor(u));
    const f = u - k;
    LUT.push('rgb(' + [0, 1, 2].map((c) => Math.round(VIRIDIS[k][c] + (VIRIDIS[k + 1][c] - VIRIDIS[k][c]) * f)).join(',') + ')');
  }
  const colourOf = (v) => LUT[Math.round(Math.min(1, Math.max(0, v)) * 255)];

  // Rows over time on a canvas: a heatmap (cells between sample edges, with a colour bar)
  // or a timeline (segments per row, coloured by kind).
  function lanes(fig, spec) {
    const heat = spec.type === 'heatmap';
    const box = fig.querySelector('.plot');
    if (!heat) {
      const legend = document.createElement('div');
      legend.className = 'legend';
      legend.innerHTML = spec.kinds.map((k) => '<span><i style="background:' + k.color + '"></i>' + k.name + '</span>').join('');
      box.parentNode.insertBefore(legend, box);
    }
    const canvas = document.createElement('canvas');
    const tip = document.createElement('div');
    tip.className = 'tip';
    box.append(canvas, tip);
    const ctx = canvas.getContext('2d');
    const rows = spec.rows, n = rows.length;
    const rowH = Math.max(3, Math.min(heat ? 18 : 20, Math.floor(420 / n), Math.max(12, Math.ceil(120 / n))));
    ctx.font = FONT;
    let labelW = 0;
    for (const r of rows) labelW = Math.max(labelW, ctx.measureText(r).width);
    const M = { l: Math.min(210, labelW + 14), t: 6, b: 46, r: heat ? 96 : 18 };
    const plotH = rowH * n, H = M.t + plotH + M.b;
    const byRow = rows.map(() => []);
    let full;
    if (heat) {
      full = [spec.edges[0], spec.edges[spec.edges.length - 1]];
    } else {
      full = [Infinity, -Infinity];
      for (const s of spec.segs) {
        byRow[s[0]].push(s);
        full[0] = Math.min(full[0], s[1]);
        full[1] = Math.max(full[1], s[2]);
      }
      for (const r of byRow) r.sort((a, b) => a[1] - b[1]);
    }
    let view = full.slice(), W = 0, drawn = 0;
    const px = (t) => M.l + ((t - view[0]) / (view[1] - view[0])) * (W - M.l - M.r);
    const tv = (x) => view[0] + ((x - M.l) / (W - M.l - M.r)) * (view[1] - view[0]);
    const draw = () => {
      W = Math.max(520, box.clientWidth);
      const dpr = window.devicePixelRatio || 1;
      canvas.width = Math.round(W * dpr);
      canvas.height = Math.round(H * dpr);
      canvas.style.width = W + 'px';
      canvas.style.height = H + 'px';
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, W, H);
      ctx.font = FONT;
      const x0 = M.l, x1 = W - M.r, y0 = M.t, y1 = M.t + plotH;
      ctx.fillStyle = heat ? '#e9ecf1' : '#f7f8fa';
      ctx.fillRect(x0, y0, x1 - x0, plotH);
      ctx.save();
      ctx.beginPath();
      ctx.rect(x0, y0, x1 - x0, plotH);
      ctx.clip();
      drawn = 0;
      const gap = rowH >= 8 ? 1 : 0;
      if (heat) {
        const e = spec.edges;
        for (let c = 0; c + 1 < e.length; c++) {
          if (e[c + 1] <= view[0] || e[c] >= view[1]) continue;
          const a = px(e[c]), w = px(e[c + 1]) - a + 0.6;
          for (let r = 0; r < n; r++) {
            ctx.fillStyle = colourOf(spec.cells[r][c]);
            ctx.fillRect(a, y0 + r * rowH, w, rowH - gap);
            drawn++;
          }
        }
      } else {
        for (let r = 0; r < n; r++) {
          for (const s of byRow[r]) {
            if (s[2] < view[0] || s[1] > view[1]) continue;
            const a = px(s[1]);
            ctx.fillStyle = spec.kinds[s[3]].color;
            ctx.fillRect(a, y0 + r * rowH + 1, Math.max(0.8, px(s[2]) - a), rowH - 2);
            drawn++;
          }
        }
      }
      ctx.restore();
      ctx.strokeStyle = '#9aa3b2';
      ctx.strokeRect(x0 + 0.5, y0 + 0.5, x1 - x0 - 1, plotH - 1);
      ctx.fillStyle = '#3a4356';
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      const every = Math.ceil(13 / rowH);
      for (let r = 0; r < n; r += every) ctx.fillText(rows[r], x0 - 6, y0 + r * rowH + rowH / 2);
      const ax = makeAxis('time', view[0], view[1], Math.max(3, Math.floor((x1 - x0) / 95)), false,
                          spec.xlabel || 'time');
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      ctx.beginPath();
      for (const t of ax.ticks) {
        const x = Math.round(px(t)) + 0.5;
        ctx.moveTo(x, y1);
        ctx.lineTo(x, y1 + 5);
        ctx.fillText(ax.fmt(t), x, y1 + 8);
      }
      ctx.stroke();
      ctx.font = '12px system-ui, sans-serif';
      ctx.fillText(ax.title, (x0 + x1) / 2, y1 + 26);
      record(fig, 'x', ax);
      if (heat) {
        const bx = x1 + 16, bw = 12;
        for (let i = 0; i < plotH; i++) {
          ctx.fillStyle = colourOf(1 - i / Math.max(1, plotH - 1));
          ctx.fillRect(bx, y0 + i, bw, 1);
        }
        ctx.strokeRect(bx + 0.5, y0 + 0.5, bw - 1, plotH - 1);
        const cb = makeAxis(spec.scale.q, 0, 1, plotH >= 150 ? 5 : plotH >= 80 ? 4 : 2, false, spec.scale.label);
        ctx.font = FONT;
        ctx.fillStyle = '#3a4356';
        ctx.textAlign = 'left';
        ctx.textBaseline = 'middle';
        for (const v of cb.ticks) {
          const y = Math.round(y0 + (1 - v) * (plotH - 1)) + 0.5;
          ctx.fillRect(bx + bw, y - 0.5, 4, 1);
          ctx.fillText(cb.fmt(v), bx + bw + 6, y);
        }
        ctx.save();
        ctx.translate(W - 12, y0 + plotH / 2);
        ctx.rotate(-Math.PI / 2);
        ctx.textAlign = 'center';
        ctx.font = '12px system-ui, sans-serif';
        ctx.fillText(cb.title, 0, 0);
        ctx.restore();
        record(fig, 'c', cb);
      }
    };
    draw();
    const rendered = drawn;
    const dragging = attachZoom(canvas, box, () => ({ left: M.l, right: W - M.r, top: M.t, bottom: M.t + plotH }),
                                tv, (a, b) => { view = [a, b]; draw(); }, () => { view = full.slice(); draw(); });
    canvas.addEventListener('mousemove', (e) => {
      const rc = canvas.getBoundingClientRect();
      const x = e.clientX - rc.left, y = e.clientY - rc.top;
      const r = Math.floor((y - M.t) / rowH);
      let text = null;
      if (!dragging() && x >= M.l && x <= W - M.r && r >= 0 && r < n) {
        const t = tv(x);
        if (heat) {
          const e2 = spec.edges;
          let c = 0;
          while (c + 2 < e2.length && e2[c + 1] <= t) c++;
          text = rows[r] + '\n' + fmtValue('time', e2[c]) + ' – ' + fmtValue('time', e2[c + 1]) +
                 '\n' + spec.scale.label + ' ' + fmtValue(spec.scale.q, spec.cells[r][c]);
        } else {
          const tol = (2 * (view[1] - view[0])) / (W - M.l - M.r);
          const hit = byRow[r].find((s) => s[1] <= t + tol && s[2] >= t - tol);
          if (hit) {
            text = rows[r] + ': ' + spec.kinds[hit[3]].name + (spec.groups ? ' (' + spec.groups[hit[4]] + ')' : '') +
                   '\nstart ' + fmtValue('time', hit[1]) + ', lasts ' + fmtValue('time', hit[2] - hit[1]);
          }
        }
      }
      if (!text) { tip.style.display = 'none'; return; }
      tip.textContent = text;
      tip.style.display = 'block';
      const left = Math.min(x + 14, W - tip.offsetWidth - 4);
      Object.assign(tip.style, { left: left + 'px', top: Math.max(0, y - tip.offsetHeight - 8) + 'px' });
    });
    canvas.addEventListener('mouseleave', () => { tip.style.display = 'none'; });
    let pending = 0;
    window.addEventListener('resize', () => { clearTimeout(pending); pending = setTimeout(draw, 120); });
    return rendered;
  }

  const DRAW = { line: lineChart, bar: barChart, heatmap: lanes, timeline: lanes };
  if (typeof Chart !== 'undefined') {
    Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
    Chart.defaults.font.size = 12;
    Chart.defaults.color = '#3a4356';
  }
  const figures = document.querySelectorAll('figure.fig');
  let failed = 0;
  for (const fig of figures) {
    try {
      const spec = JSON.parse(fig.querySelector('script.spec').textContent);
      fig.setAttribute('data-rendered', String(DRAW[spec.type](fig, spec)));
    } catch (err) {
      failed++;
      fig.setAttribute('data-error', String(err));
      console.error('aifabric report: figure ' + fig.id + ': ' + err);
    }
  }
  const root = document.documentElement;
  const head = document.getElementById('headline');
  if (head) {
    const r = head.getBoundingClientRect();
    root.setAttribute('data-headline-bottom', String(Math.ceil(r.bottom + window.scrollY)));
    root.setAttribute('data-headline-right', String(Math.ceil(r.right + window.scrollX)));
  }
  root.setAttribute('data-figures', String(figures.length));
  root.setAttribute('data-failed', String(failed));
  root.setAttribute('data-ready', '1');
})();
