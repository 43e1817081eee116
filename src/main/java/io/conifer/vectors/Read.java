package io.conifer.vectors;

/**
 * What a read found, with the log sequence number of the searcher that found it: every write whose
 * {@link Written#requestLsn()} is at or below {@code maxIndexedLsn} is reflected in {@code result}.
 */
public record Read<T>(T result, long maxIndexedLsn) {}
