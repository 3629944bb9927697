export function Stat({ label, value, title }: { label: string; value: string; title?: string }) {
  return (
    <dl className="stat">
      <dt>{label}</dt>
      <dd title={title ?? value}>{value}</dd>
    </dl>
  );
}
