package io.conifer.vectors;

import java.util.SortedMap;

/** Record counts per namespace (only non-empty namespaces) and in total. */
public record IndexStats(SortedMap<String, Long> namespaces, long total) {}
