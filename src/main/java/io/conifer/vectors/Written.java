package io.conifer.vectors;

/**
 * An acknowledged write: how many records it matched or wrote, and its log sequence number. Reads
 * reflect it once their {@link Read#maxIndexedLsn()} reaches {@code requestLsn}; a write that changed
 * nothing carries the sequence of the writes already applied, so it is never waited for in vain.
 */
public record Written(int count, long requestLsn) {}
