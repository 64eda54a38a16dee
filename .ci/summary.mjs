// CI's summary of the vitest JSON report (.vitest-report.json): every skipped test with its reason (its title), every
// backend/engine that did not run and why, failures, and as the last line "N passed, N failed, N skipped".
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

const REPORT = '.vitest-report.json';
if (!existsSync(REPORT)) {
  console.log(`${REPORT} is missing: the test run did not finish.`);
  console.log('0 passed, 1 failed, 0 skipped');
  process.exit(0);
}
const report = JSON.parse(readFileSync(REPORT, 'utf8'));
const name = (file, test) => `${relative(process.cwd(), file)} > ${[...test.ancestorTitles, test.title].join(' > ')}`;
const skipped = [];
const failed = [];
const notRun = new Map();
let brokenFiles = 0;
for (const file of report.testResults) {
  const tests = file.assertionResults;
  // A file that fails before any test runs (an import error) counts as one failure.
  if (file.status === 'failed' && !tests.some((t) => t.status === 'failed')) {
    brokenFiles++;
    failed.push(`${relative(process.cwd(), file.name)}: ${(file.message || 'failed to load').split('\n')[0]}`);
  }
  for (const test of tests) {
    if (test.status === 'failed') failed.push(name(file.name, test));
    if (test.status !== 'pending' && test.status !== 'skipped' && test.status !== 'todo') continue;
    skipped.push(name(file.name, test));
    // describeEachEngine's skip for an engine that cannot run here, under describe('backend/engine').
    const engine = test.ancestorTitles.at(-1) ?? '';
    if (test.title.startsWith('not run here:') && /^[\w.@-]+\/[\w.*-]+$/.test(engine)) notRun.set(engine, test.title);
    // The playground's skip for a browser engine: "<backend>/<engine>: not available here (<reason>)".
    const browser = /^([\w.@-]+\/[\w.*-]+): (not available here .*)$/.exec(test.title);
    if (browser) notRun.set(`browser:${browser[1]}`, browser[2]);
  }
}
console.log(`\nSkipped tests (${skipped.length}):`);
for (const s of skipped) console.log(`  - ${s}`);
console.log(`\nBackends/engines that did not run (${notRun.size}):`);
for (const [engine, why] of notRun) console.log(`  - ${engine}: ${why}`);
if (failed.length > 0) {
  console.log(`\nFailed (${failed.length}):`);
  for (const f of failed) console.log(`  - ${f}`);
}
console.log(
  `${report.numPassedTests} passed, ${report.numFailedTests + brokenFiles} failed, ${report.numPendingTests + report.numTodoTests} skipped`,
);
