// Per-layer SQNR of the INT8 model against FP32 (higher is better), worst layers highlighted.

import { Bar, BarChart, CartesianGrid, Cell, Label, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

import { ChartLegend } from './ChartLegend';
import type { SqnrRow } from '../store/selectors';
import { axisTick, chartAnimation, chartColors, tooltipStyle } from '../theme/chart-theme';

const short = (s: string) => (s.length > 26 ? `…${s.slice(-25)}` : s);

export function LayerSqnrChart({ data }: { data: SqnrRow[] }) {
  const height = Math.max(200, data.length * 24 + 90);
  return (
    <figure
      className="chart"
      role="img"
      aria-label={`Per-layer SQNR in dB, lowest first; worst: ${data
        .filter((d) => d.worst)
        .map((d) => `${d.name} ${d.sqnr.toFixed(1)} dB`)
        .join(', ')}`}
      style={{ margin: 0 }}
    >
      <ResponsiveContainer width="100%" height={height} minWidth={240}>
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 24, bottom: 26, left: 8 }}>
          <CartesianGrid horizontal={false} stroke={chartColors.grid} />
          <XAxis type="number" tick={axisTick} stroke={chartColors.grid} domain={[0, 'auto']}>
            <Label value="SQNR (dB, higher is better)" position="insideBottom" offset={-16} fill={chartColors.text} fontSize={11} />
          </XAxis>
          <YAxis type="category" dataKey="name" width={170} tick={axisTick} tickFormatter={short} stroke={chartColors.grid} interval={0} />
          <Tooltip {...tooltipStyle} cursor={{ fill: 'var(--color-surface-2)' }} formatter={(v) => [`${Number(v).toFixed(1)} dB`, 'SQNR']} />
          <Legend
            verticalAlign="top"
            height={26}
            content={() => (
              <ChartLegend
                items={[
                  { label: 'INT8 layer', color: chartColors.int8 },
                  { label: 'worst layers', color: chartColors.worst },
                ]}
              />
            )}
          />
          <Bar dataKey="sqnr" name="SQNR" isAnimationActive={chartAnimation()} barSize={12} radius={[0, 3, 3, 0]}>
            {data.map((d) => (
              <Cell key={d.name} fill={d.worst ? chartColors.worst : chartColors.int8} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
