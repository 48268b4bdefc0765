/**
 * A protobuf `Timestamp` or `Duration` as the Temporal client decodes it: `seconds` is a `Long`
 * (a plain number is accepted too), `nanos` a number.
 */
export interface ProtoTime {
  seconds?: number | { toNumber(): number } | null;
  nanos?: number | null;
}

/**
 * Milliseconds of a `Timestamp` (since the epoch) or a `Duration`, with the nanoseconds cut to
 * whole milliseconds as the SDK's own conversion does. Local so that nothing here imports SDK internals.
 *
 * @throws Error when `time` is missing.
 */
export function protoTimeMs(time: ProtoTime | null | undefined): number {
  if (time === null || time === undefined) throw new Error(`Expected a timestamp or duration, got ${time}`);
  const { seconds, nanos } = time;
  const wholeSeconds =
    seconds === null || seconds === undefined ? 0 : typeof seconds === 'number' ? seconds : seconds.toNumber();
  return wholeSeconds * 1000 + Math.floor((nanos ?? 0) / 1e6);
}
