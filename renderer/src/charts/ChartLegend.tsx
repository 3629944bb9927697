// A legend with fixed entries, for charts whose colours mean something other than one series each
// (recharts 3 takes a custom legend as `content`).

export function ChartLegend({ items }: { items: { label: string; color: string }[] }) {
  return (
    <ul className="row small" style={{ listStyle: 'none', margin: 0, padding: 0, justifyContent: 'center', gap: 'var(--space-4)' }}>
      {items.map((i) => (
        <li key={i.label} className="row" style={{ gap: 6 }}>
          <svg width="10" height="10" aria-hidden="true">
            <rect width="10" height="10" rx="2" fill={i.color} />
          </svg>
          <span className="muted">{i.label}</span>
        </li>
      ))}
    </ul>
  );
}
