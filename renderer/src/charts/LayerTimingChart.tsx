// Per-layer time of FP32 raw, FP32 fused and INT8, grouped per layer (the slowest layers).

import { Bar, BarChart, CartesianGrid, Label, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

import { ChartLegend } from './ChartLegend';
import type { TimingRow } from '../store/selectors';
import { axisTick, chartAnimation, chartColors, tooltipStyle } from '../theme/chart-theme';

const short = (s: string) => (s.length > 26 ? `…${s.slice(-25)}` : s);

export function LayerTimingChart({ data, batch }: { data: TimingRow[]; batch: number }) {
  const height = Math.max(220, data.length * 40 + 90);
  const anim = chartAnimation();
  return (
    <figure className="chart" role="img" aria-label={`Per-layer time in ms per batch of ${batch}, FP32 raw, FP32 fused and INT8, for the ${data.length} slowest layers`} style={{ margin: 0 }}>
      <ResponsiveContainer width="100%" height={height} minWidth={240}>
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 24, bottom: 26, left: 8 }} barGap={1} barCategoryGap="22%">
          <CartesianGrid horizontal={false} stroke={chartColors.grid} />
          <XAxis type="number" tick={axisTick} stroke={chartColors.grid} tickFormatter={(v: number) => v.toFixed(2)}>
            <Label value={`ms per batch of ${batch} (median)`} position="insideBottom" offset={-16} fill={chartColors.text} fontSize={11} />
          </XAxis>
          <YAxis type="category" dataKey="name" width={170} tick={axisTick} tickFormatter={short} stroke={chartColors.grid} interval={0} />
          <Tooltip {...tooltipStyle} cursor={{ fill: 'var(--color-surface-2)' }} formatter={(v, n) => [v === null || v === undefined ? 'not run' : `${Number(v).toFixed(3)} ms`, String(n)]} />
          <Legend
            verticalAlign="top"
            height={26}
            content={() => (
              <ChartLegend
                items={[
                  { label: 'FP32 raw', color: chartColors.fp32Raw },
                  { label: 'FP32 fused', color: chartColors.fp32 },
                  { label: 'INT8', color: chartColors.int8 },
                ]}
              />
            )}
          />
          <Bar dataKey="fp32Raw" name="FP32 raw" fill={chartColors.fp32Raw} isAnimationActive={anim} barSize={8} />
          <Bar dataKey="fp32Fused" name="FP32 fused" fill={chartColors.fp32} isAnimationActive={anim} barSize={8} />
          <Bar dataKey="int8" name="INT8" fill={chartColors.int8} isAnimationActive={anim} barSize={8} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
