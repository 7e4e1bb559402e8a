// Plain-text tables and number formats for bench reports.

/**
 * @param {{ title: string, align?: 'left' | 'right' }[]} columns
 * @param {string[][]} rows cells already formatted as strings
 * @returns {string}
 */
export function formatTable(columns, rows) {
  const widths = columns.map((c, i) =>
    Math.max(c.title.length, ...rows.map((r) => String(r[i]).length)),
  );
  const line = (cells) =>
    cells
      .map((cell, i) =>
        columns[i].align === 'left' ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]),
      )
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(columns.map((c) => c.title)), rule, ...rows.map(line)].join('\n');
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1234567.8 -> "1,234,568" */
export const int = (n) => grouped.format(n);

/** Fixed decimals, with thousands separators. */
export const fixed = (n, digits) =>
  new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);

/** Byte counts as decimal units: a MB is 1,000,000 bytes. */
export function bytes(n) {
  if (n >= 1e6) return `${fixed(n / 1e6, 2)} MB`;
  if (n >= 1e3) return `${fixed(n / 1e3, 2)} KB`;
  return `${n} B`;
}

/** A heading line that stands out in a long log. */
export const heading = (text) => `\n== ${text}`;
