// The bench's tables: one row per figure, the API and a reference (the limit, or bare Express) side by side, and their ratio.
// @ts-check
'use strict';

/**
 * A figure as it is given: a number to format, a string to show as it is, or none.
 * @typedef {number | string | undefined} Cell
 */
/**
 * One row: [label, api, limit, { ratio: false }?].
 * @typedef {[string, Cell, Cell, { ratio?: boolean }?]} Row
 */

/**
 * A figure for a cell: whole numbers from 100 up, one decimal below; "-" for none.
 * @param {number | undefined | null} value
 */
function figure(value) {
  if (value === undefined || value === null || Number.isNaN(value)) return '-';
  return value >= 100 ? String(Math.round(value)) : value.toFixed(1);
}

/**
 * API / limit to two decimals; "-" where it means nothing (a zero, a missing figure).
 * @param {Cell} api
 * @param {Cell} limit
 */
function ratio(api, limit) {
  if (typeof api !== 'number' || typeof limit !== 'number' || api === 0 || limit === 0) return '-';
  return (api / limit).toFixed(2);
}

/**
 * `title` and a markdown table. Each row is [label, api, reference, { ratio: false }?]; numbers are
 * formatted, strings kept as they are. The reference is the limit unless `reference` names another.
 * @param {string} title
 * @param {Row[]} rows
 * @param {string} [note]
 * @param {string} [reference]
 * @returns {string}
 */
function formatTable(title, rows, note, reference = 'limit') {
  const lines = [`\n${title}`, `| | API | ${reference} | API/${reference} |`, '|---|---:|---:|---:|'];
  for (const [label, api, limit, { ratio: withRatio = true } = {}] of rows) {
    const cell = (/** @type {Cell} */ value) => (typeof value === 'string' ? value : figure(value));
    lines.push(`| ${label} | ${cell(api)} | ${cell(limit)} | ${withRatio ? ratio(api, limit) : '-'} |`);
  }
  if (note) lines.push(note);
  return lines.join('\n');
}

module.exports = { formatTable };
