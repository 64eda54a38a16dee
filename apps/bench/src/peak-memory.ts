/** Peak resident set size of this process in bytes (`maxRSS` is VmHWM on Linux, reported in KiB). */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}
