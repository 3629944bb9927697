// Export: the compiled .so (with its files, sizes and a C snippet from the generated example.c),
// the QDQ ONNX, and the comparison as JSON and CSV, into a folder (and, in browser mode, as a
// download).

import { useState } from 'react';

import { ErrorNote } from '../components/ErrorNote';
import { ProgressBar } from '../components/ProgressBar';
import { useApp, useHost } from '../store/provider';
import type { ExportFormat, ExportJob } from '../store/export-slice';
import { baseName, joinPath } from '../store/deps';
import { formatBytes } from '../store/selectors';

function JobResult({ job, what, onReplace }: { job: ExportJob; what: string; onReplace?: () => void }) {
  const host = useHost();
  if (job.status === 'running') return <ProgressBar label={`${what} progress`} stage={job.stage} done={job.done} total={job.total} unit="steps" />;
  if (job.status === 'error') {
    // The folder already holds files of this artifact: ask before replacing them.
    if (job.error?.code === 'E_EXISTS' && onReplace) {
      return (
        <div className="stack">
          <ErrorNote error={job.error} />
          <div>
            <button type="button" className="btn" onClick={onReplace}>
              Replace the files
            </button>
          </div>
        </div>
      );
    }
    return <ErrorNote error={job.error} />;
  }
  const r = job.result;
  if (job.status !== 'done' || !r) return null;
  const href = r.download ? host.downloadHref(r.download.url) : undefined;
  return (
    <div className="stack">
      <div className="note ok" role="status">
        <strong>{what} written</strong>
        <span className="muted small">
          {r.notes.join(' · ')} · {(r.ms / 1000).toFixed(1)} s
        </span>
      </div>
      <ul className="files" aria-label={`${what} files`}>
        {(r.entries ?? r.files.map((f) => ({ path: f, bytes: 0 }))).map((e) => (
          <li key={e.path}>
            <span>{e.path}</span>
            <span className="muted">{formatBytes(e.bytes)}</span>
          </li>
        ))}
      </ul>
      <div className="row">
        {href && r.download ? (
          <a className="btn" href={href} download={r.download.name}>
            Download {r.download.name}
          </a>
        ) : null}
        {host.reveal ? (
          <button type="button" className="btn" onClick={() => host.reveal?.(r.files[0])}>
            Show in folder
          </button>
        ) : null}
      </div>
    </div>
  );
}

export function Export() {
  const host = useHost();
  const e = useApp((s) => s.export);
  const ref = useApp((s) => s.model.ref);
  const int8 = useApp((s) => s.run.result?.outPath);
  const compared = useApp((s) => s.compare.status === 'done');
  const exportDir = host.session.exportDir;
  const placeholder = ref ? joinPath(exportDir, baseName(ref.path).replace(/\.onnx$/i, '')) : exportDir;
  const [copied, setCopied] = useState(false);
  const busy = (f: ExportFormat) => e.jobs[f].status === 'running';
  const usage = e.jobs.so.result?.usage;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(usage ?? '');
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div className="content-inner">
      <header className="page-head">
        <div>
          <span className="eyebrow">Export</span>
          <h1>Take the model with you</h1>
          <p>A compiled .so with a C ABI (no Node, no Electron), the QDQ ONNX that other runtimes load, and the comparison as data.</p>
        </div>
      </header>

      <section className="card">
        <div className="fields">
          <div className="field">
            <label htmlFor="export-folder">Folder on this machine</label>
            <div className="row" style={{ flexWrap: 'nowrap' }}>
              <input id="export-folder" className="input mono" value={e.folder} placeholder={placeholder} onChange={(ev) => e.setFolder(ev.target.value)} />
              {host.kind === 'electron' ? (
                <button
                  type="button"
                  className="btn"
                  onClick={() =>
                    void host.chooseFolder('Export to', e.folder || placeholder).then((p) => {
                      if (p) e.setFolder(p);
                    })
                  }
                >
                  Choose…
                </button>
              ) : null}
            </div>
            <span className="help">{host.kind === 'browser' ? 'Files are written here and also offered as a .tar.gz download.' : 'Created if it does not exist.'}</span>
          </div>
          <div className="field" style={{ maxWidth: 200 }}>
            <label htmlFor="export-batch">Largest batch (.so)</label>
            <input id="export-batch" className="input" inputMode="numeric" value={e.maxBatch} onChange={(ev) => e.setMaxBatch(ev.target.value)} />
          </div>
        </div>
      </section>

      <section className="card" aria-labelledby="so-h">
        <div className="card-head">
          <h3 id="so-h">Compiled shared library</h3>
          <p>{int8 ? 'the INT8 model' : 'the FP32 model (quantize first for INT8)'}</p>
        </div>
        <div>
          <button type="button" className="btn primary" onClick={() => void e.start('so')} disabled={busy('so')}>
            Export .so
          </button>
        </div>
        <JobResult job={e.jobs.so} what="The .so" onReplace={() => void e.start('so', true)} />
        {usage && e.jobs.so.status === 'done' ? (
          <div className="stack">
            <div className="spread">
              <h4>Use it from C (from the generated example.c)</h4>
              <button type="button" className="btn" onClick={() => void copy()}>
                {copied ? 'Copied' : 'Copy snippet'}
              </button>
            </div>
            <pre className="snippet" aria-label="C usage snippet">
              <code>{usage}</code>
            </pre>
            <p className="muted small">
              Build: <code>gcc example.c -o example -L. -l:{baseName(e.jobs.so.result?.files.find((f) => f.endsWith('.so')) ?? 'model.so')} -Wl,-rpath,&apos;$ORIGIN&apos;</code> (see the README in the folder).
            </p>
          </div>
        ) : null}
      </section>

      <div className="grid-2">
        <section className="card" aria-labelledby="qdq-h">
          <div className="card-head">
            <h3 id="qdq-h">QDQ ONNX</h3>
            <p>loads in ONNX Runtime, OpenVINO, TensorRT</p>
          </div>
          <div>
            <button type="button" className="btn" onClick={() => void e.start('qdq')} disabled={!int8 || busy('qdq')}>
              Export QDQ ONNX
            </button>
          </div>
          {!int8 ? <p className="muted small">Quantize the model first.</p> : null}
          <JobResult job={e.jobs.qdq} what="The QDQ ONNX" />
        </section>
        <section className="card" aria-labelledby="report-h">
          <div className="card-head">
            <h3 id="report-h">Comparison report</h3>
            <p>accuracy, agreement and per-layer SQNR</p>
          </div>
          <div className="row">
            <button type="button" className="btn" onClick={() => void e.start('json')} disabled={!compared || busy('json')}>
              Comparison as JSON
            </button>
            <button type="button" className="btn" onClick={() => void e.start('csv')} disabled={!compared || busy('csv')}>
              Comparison as CSV
            </button>
          </div>
          {!compared ? <p className="muted small">Run the comparison first.</p> : null}
          <JobResult job={e.jobs.json} what="The JSON report" />
          <JobResult job={e.jobs.csv} what="The CSV report" />
        </section>
      </div>
    </div>
  );
}
