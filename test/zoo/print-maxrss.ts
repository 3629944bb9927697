// Preloaded (`node -r`) into a child process whose peak memory a test checks: prints the process's
// maximum resident set size on exit, as `QWB_MAXRSS_KB=N` on stderr.
process.on('exit', () => {
  process.stderr.write(`\nQWB_MAXRSS_KB=${process.resourceUsage().maxRSS}\n`);
});
