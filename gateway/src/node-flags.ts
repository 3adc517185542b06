/**
 * The Node/V8 flags the gateway is started with, sized for a box with 256-512 MB in all
 * (BENCHMARKS.md, bench:footprint). They go on the node command line, so every way of
 * starting the gateway names them: docker-compose.yml, the CLI's shebang (cli.ts),
 * scripts/start-all.ts and bench:footprint read or repeat this list.
 *
 * --max-semi-space-size=1: V8's young generation stays at 1 MB a semi-space instead of
 *   growing to 16 MB (about 27 MB of resident memory for a process whose live data is a
 *   few MB); a scavenge then runs every few hundred KB allocated, well under a
 *   millisecond each at the gateway's allocation rate.
 * --no-turbo-inlining, --no-concurrent-recompilation: TurboFan stays on (the hot paths of
 *   polling, decoding and MQTT run at about two thirds of the CPU time they take in baseline
 *   code), but optimises each hot function on its own, on the main thread: no inlined
 *   copies of callees in the optimised code, no background compiler thread with its own
 *   working memory. Measured with bench:footprint (BENCHMARKS.md): about 74 MB and 2.5 % of
 *   a core, against about 80 MB with TurboFan as it comes, and 69-73 MB but 2.9-4.1 % with
 *   --no-opt (no TurboFan), which this replaced.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=1',
  '--no-turbo-inlining',
  '--no-concurrent-recompilation',
];
