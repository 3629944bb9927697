// Token names for recharts props (SVG fills take CSS variables), and whether charts animate: not
// under test (navigator.webdriver) nor when the user asks for reduced motion.

export const chartColors = {
  fp32Raw: 'var(--color-series-fp32-raw)',
  fp32: 'var(--color-series-fp32)',
  int8: 'var(--color-series-int8)',
  worst: 'var(--color-series-worst)',
  grid: 'var(--color-grid)',
  text: 'var(--color-text-muted)',
  accent: 'var(--color-accent)',
  error: 'var(--color-error)',
  surface: 'var(--color-surface)',
  border: 'var(--color-border)',
} as const;

export function chartAnimation(): boolean {
  if (typeof navigator !== 'undefined' && navigator.webdriver) return false;
  return !(typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches);
}

export const axisTick = { fill: chartColors.text, fontSize: 11 };

export const tooltipStyle = {
  contentStyle: { background: chartColors.surface, border: `1px solid ${chartColors.border}`, borderRadius: 6, fontSize: 12 },
  labelStyle: { color: 'var(--color-text)' },
  itemStyle: { color: 'var(--color-text)' },
};
