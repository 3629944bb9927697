#!/usr/bin/env node
// qwb launcher: the CLI is compiled TypeScript under dist/.
'use strict';
const fs = require('fs');
const path = require('path');

const entry = path.join(__dirname, '..', 'dist', 'engine', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write(`qwb: ${entry} is missing; build first with \`npm run build\` (or \`npx tsc -p tsconfig.json\`)\n`);
  process.exit(1);
}

/** Our parent's pid now (Linux: /proc, which sees a reparenting; elsewhere: -1 once it is gone). */
function parentNow(original) {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    try {
      process.kill(original, 0);
      return original;
    } catch {
      return -1;
    }
  }
}

/** Under `npx qwb` / `npm exec` the chain is npm -> `sh -c qwb ...` -> this process. A SIGINT or
 *  SIGTERM sent to the npm process alone (kill PID, a supervisor stopping it) is forwarded by npm
 *  to the shell only, which dies of it without passing it on: this process was left running its
 *  job to the end (issue 12: it finished 47 s later). So when npm started us, losing our parent is
 *  taken as the signal it was meant to be: SIGTERM to ourselves, which cancels the running job
 *  (exit 130) as a direct signal does. Outside npm nothing is watched (`nohup qwb ... &` goes on). */
function stopWithParent() {
  if (!process.env.npm_command && !process.env.npm_lifecycle_event) return;
  const original = process.ppid;
  const timer = setInterval(() => {
    if (parentNow(original) === original) return;
    clearInterval(timer);
    process.stderr.write('\nqwb: the npm process that started this one is gone\n');
    process.kill(process.pid, 'SIGTERM');
  }, 200);
  timer.unref();
}

stopWithParent();
require(entry).runFromProcess();
