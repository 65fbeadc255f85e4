// charts.js — small SVG charts for the reports page (no external library:
// the hub machines are offline). Each returns an <svg> element.

const NS = 'http://www.w3.org/2000/svg';
const COLORS = ['#0057b7', '#ffb000', '#1b7f3b', '#b3261e', '#6f42c1', '#00838f', '#8d6e63', '#5b6675'];

function el(name, attrs, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// Horizontal bars: rows = [{label, value}]
export function barChart(rows, { title = '', width = 560, barH = 20, labelW = 210 } = {}) {
  const max = Math.max(1, ...rows.map(r => r.value));
  const h = rows.length * (barH + 6) + 10;
  const svg = el('svg', { width, height: h, viewBox: `0 0 ${width} ${h}`, role: 'img', 'aria-label': title, class: 'chart bar' });
  svg.appendChild(el('title', {}, title));
  rows.forEach((r, i) => {
    const y = 5 + i * (barH + 6);
    const w = Math.round((width - labelW - 60) * r.value / max);
    const label = r.label.length > 30 ? r.label.slice(0, 29) + '…' : r.label;
    svg.appendChild(el('text', { x: labelW - 6, y: y + barH * 0.72, 'text-anchor': 'end' }, label));
    svg.appendChild(el('rect', { x: labelW, y, width: Math.max(w, 1), height: barH, fill: COLORS[i % COLORS.length], rx: 2 }));
    svg.appendChild(el('text', { x: labelW + w + 6, y: y + barH * 0.72 }, String(r.value)));
  });
  return svg;
}

// Donut: rows = [{label, value}]
export function donutChart(rows, { title = '', size = 220 } = {}) {
  const total = rows.reduce((a, r) => a + r.value, 0) || 1;
  const width = size + 220;
  const svg = el('svg', { width, height: size, viewBox: `0 0 ${width} ${size}`, role: 'img', 'aria-label': title, class: 'chart donut' });
  svg.appendChild(el('title', {}, title));
  const cx = size / 2, cy = size / 2, r = size / 2 - 10, ri = r * 0.55;
  let a0 = -Math.PI / 2;
  rows.forEach((row, i) => {
    if (!row.value) return;
    const a1 = a0 + 2 * Math.PI * row.value / total;
    const large = a1 - a0 > Math.PI ? 1 : 0;
    const p = (a, rr) => `${cx + rr * Math.cos(a)},${cy + rr * Math.sin(a)}`;
    const d = row.value === total
      ? `M${cx - r},${cy} a${r},${r} 0 1,0 ${2 * r},0 a${r},${r} 0 1,0 ${-2 * r},0 M${cx - ri},${cy} a${ri},${ri} 0 1,1 ${2 * ri},0 a${ri},${ri} 0 1,1 ${-2 * ri},0`
      : `M${p(a0, r)} A${r},${r} 0 ${large},1 ${p(a1, r)} L${p(a1, ri)} A${ri},${ri} 0 ${large},0 ${p(a0, ri)} Z`;
    svg.appendChild(el('path', { d, fill: COLORS[i % COLORS.length], 'fill-rule': 'evenodd' }));
    a0 = a1;
  });
  rows.forEach((row, i) => {
    const y = 20 + i * 22;
    svg.appendChild(el('rect', { x: size + 10, y: y - 11, width: 12, height: 12, fill: COLORS[i % COLORS.length] }));
    svg.appendChild(el('text', { x: size + 28, y }, `${row.label}: ${row.value}`));
  });
  return svg;
}

// Vertical columns over time: rows = [{label, value}]
export function columnChart(rows, { title = '', width = 560, height = 220 } = {}) {
  const max = Math.max(1, ...rows.map(r => r.value));
  const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, class: 'chart columns' });
  svg.appendChild(el('title', {}, title));
  const n = Math.max(rows.length, 1), bw = Math.min(48, (width - 20) / n - 6);
  rows.forEach((r, i) => {
    const h = Math.round((height - 50) * r.value / max);
    const x = 10 + i * (bw + 6);
    svg.appendChild(el('rect', { x, y: height - 30 - h, width: bw, height: Math.max(h, 1), fill: COLORS[0], rx: 2 }));
    svg.appendChild(el('text', { x: x + bw / 2, y: height - 34 - h, 'text-anchor': 'middle' }, String(r.value)));
    svg.appendChild(el('text', { x: x + bw / 2, y: height - 12, 'text-anchor': 'middle' }, r.label));
  });
  return svg;
}
