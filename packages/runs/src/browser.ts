/**
 * `@xbackend/runs/browser` (Node): what the playground's tests and the bench's browser rows share to run the
 * playground page in headless Chromium: the launcher, a static server for the built page with the headers it needs
 * and the data files, and whether the bundle is current. The page's side of the conversation is `./page-harness.js`.
 */
export { chromiumPath, launchChromium, NO_CHROMIUM } from './chromium.js';
export { builtPageIsCurrent } from './page-build.js';
export { DATA_PATH, dataDirs, serveDataFiles } from './page-data-files.js';
export {
  HARNESS_BINDING,
  type HarnessEpoch,
  type HarnessMessage,
  type MeasuredEpoch,
  type PageBrowser,
  type UnattendedRun,
  unattendedQuery,
} from './page-harness.js';
export { PAGE_HEADERS } from './page-headers.js';
export { type ServedPage, serveStaticPage } from './static-page-server.js';
