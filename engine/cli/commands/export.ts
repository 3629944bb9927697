// `qwb export`: arguments -> exportModel, and the text form of its result.

import type { ExportRequest } from '../../api/contract';
import type { CommandHandler } from './command';

export const exportCommand: CommandHandler<ExportRequest> = {
  request(p) {
    return {
      modelPath: p.expectPositionals(1)[0],
      format: (p.string('format') ?? 'so') as ExportRequest['format'],
      out: p.required('out'),
      maxBatch: p.int('max-batch', 1),
      report: p.string('report'),
      force: p.flag('force') || undefined,
    };
  },
  async execute(service, req, opts) {
    const value = await service.exportModel(req, opts);
    const text = [...value.files.map((f) => `wrote ${f}`), ...value.notes, `${(value.ms / 1000).toFixed(1)} s`].join('\n');
    return { value, text };
  },
};
