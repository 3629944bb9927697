// Op types of the model by node count; unsupported ops in the error colour.

import { Bar, BarChart, CartesianGrid, Cell, Label, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

import { ChartLegend } from './ChartLegend';
import type { OpCount } from '../store/selectors';
import { axisTick, chartAnimation, chartColors, tooltipStyle } from '../theme/chart-theme';

export function OpHistogramChart({ data }: { data: OpCount[] }) {
  const height = Math.max(160, data.length * 26 + 70);
  const anyBad = data.some((d) => d.unsupported);
  return (
    <figure className="chart" role="img" aria-label={`Op types by node count: ${data.map((d) => `${d.op} ${d.count}`).join(', ')}`} style={{ margin: 0 }}>
      <ResponsiveContainer width="100%" height={height} minWidth={200}>
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 24, bottom: 24, left: 8 }}>
          <CartesianGrid horizontal={false} stroke={chartColors.grid} />
          <XAxis type="number" allowDecimals={false} tick={axisTick} stroke={chartColors.grid}>
            <Label value="nodes" position="insideBottom" offset={-14} fill={chartColors.text} fontSize={11} />
          </XAxis>
          <YAxis type="category" dataKey="op" width={130} tick={axisTick} stroke={chartColors.grid} interval={0} />
          <Tooltip {...tooltipStyle} cursor={{ fill: 'var(--color-surface-2)' }} formatter={(v) => [`${String(v)} nodes`, 'count']} />
          <Legend verticalAlign="top" height={24} content={() => <ChartLegend items={[{ label: 'supported op', color: chartColors.fp32 }, ...(anyBad ? [{ label: 'unsupported op', color: chartColors.error }] : [])]} />} />
          <Bar dataKey="count" name="nodes" isAnimationActive={chartAnimation()} radius={[0, 3, 3, 0]} barSize={14}>
            {data.map((d) => (
              <Cell key={d.op} fill={d.unsupported ? chartColors.error : chartColors.fp32} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
