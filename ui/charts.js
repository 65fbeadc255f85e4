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

// a label's width in px at the page's 13px font (no layout needed: the
// chart is built before it is in the page); wide letters count more
function textW(s) {
  let w = 0;
  for (const ch of String(s)) w += /[ШЩЖЮМWMЫФДmw@]/.test(ch) ? 11 : /[ilI.,:;'|!]/.test(ch) ? 4 : /\d/.test(ch) ? 8 : 7.6;
  return w;
}

// a long label on up to two lines, cut at a space; the full text is the title
function wrap(label, maxW) {
  if (textW(label) <= maxW) return [label];
  const words = String(label).split(' ');
  let a = '';
  while (words.length && textW(a + ' ' + words[0]) <= maxW) a = (a ? a + ' ' : '') + words.shift();
  if (!a) a = words.shift() || '';
  let b = words.join(' ');
  while (b && textW(b + '…') > maxW) b = b.slice(0, -1);
  return b ? [a, b + (b.length < words.join(' ').length ? '…' : '')] : [a];
}

// Horizontal bars: rows = [{label, value}]. The label column is as wide as
// its longest label (up to 300 px, then two lines), so nothing is clipped;
// drawn at 1:1, the SVG only shrinks to fit a narrow card (style.css).
export function barChart(rows, { title = '', barH = 22 } = {}) {
  const max = Math.max(1, ...rows.map(r => r.value));
  const labelW = Math.min(300, Math.max(80, ...rows.map(r => textW(r.label) + 12)));
  const width = labelW + 300;
  const lines = rows.map(r => wrap(r.label, labelW - 12));
  const rowH = lines.map(l => Math.max(barH, l.length * 15 + 6) + 6);
  const h = rowH.reduce((a, b) => a + b, 0) + 10;
  const svg = el('svg', { viewBox: `0 0 ${width} ${h}`, width, height: h, role: 'img', 'aria-label': title, class: 'chart bar' });
  svg.appendChild(el('title', {}, title));
  let y = 5;
  rows.forEach((r, i) => {
    const w = Math.round((width - labelW - 60) * r.value / max);
    const mid = y + rowH[i] / 2 - 3;
    const text = el('text', { x: labelW - 6, y: mid - (lines[i].length - 1) * 7.5 + 4, 'text-anchor': 'end', class: 'label' });
    lines[i].forEach((ln, k) => text.appendChild(el('tspan', { x: labelW - 6, dy: k ? 15 : 0 }, ln)));
    if (lines[i].length > 1 || lines[i][0] !== r.label) text.appendChild(el('title', {}, r.label));
    svg.appendChild(text);
    svg.appendChild(el('rect', { x: labelW, y: mid - barH / 2, width: Math.max(w, 1), height: barH, fill: COLORS[i % COLORS.length], rx: 2 }));
    svg.appendChild(el('text', { x: labelW + w + 6, y: mid + 4 }, String(r.value)));
    y += rowH[i];
  });
  return svg;
}

// Donut: rows = [{label, value}]
export function donutChart(rows, { title = '', size = 220 } = {}) {
  const total = rows.reduce((a, r) => a + r.value, 0) || 1;
  const width = size + 40 + Math.max(180, ...rows.map(r => textW(`${r.label}: ${r.value}`)));
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
  const n = Math.max(rows.length, 1), bw = Math.min(48, (width - 20) / n - 6);
  // a column is at least as wide as its label, so labels never run together
  const step = Math.max(bw + 6, ...rows.map(r => textW(r.label) + 10));
  width = Math.max(width, 20 + n * step);
  const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, class: 'chart columns' });
  svg.appendChild(el('title', {}, title));
  rows.forEach((r, i) => {
    const h = Math.round((height - 50) * r.value / max);
    const x = 10 + i * step + (step - 6 - bw) / 2;
    svg.appendChild(el('rect', { x, y: height - 30 - h, width: bw, height: Math.max(h, 1), fill: COLORS[0], rx: 2 }));
    svg.appendChild(el('text', { x: x + bw / 2, y: height - 34 - h, 'text-anchor': 'middle' }, String(r.value)));
    svg.appendChild(el('text', { x: x + bw / 2, y: height - 12, 'text-anchor': 'middle' }, r.label));
  });
  return svg;
}
